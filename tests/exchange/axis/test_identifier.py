"""One document identifier for every copy: internal issue (routing.copies) carries it too, so a
copy received inside Docflow and one received over the axis are named the same way."""

from __future__ import annotations

import pytest

from docflow.core.scoping import cross_agency
from docflow.documents.identifier import copy_identifier, parse_document_identifier
from docflow.exchange.identifier import incoming_identifier, outgoing_identifier
from docflow.routing.models import IncomingDocument
from tests.documents.story import sending_office
from tests.exchange.test_outbound import issue_to

pytestmark = pytest.mark.django_db


def test_an_internal_copy_carries_the_identifier_of_the_document_it_is_of():
    office, commune = sending_office(symbol="UBND"), sending_office()
    document = issue_to(office, commune.agency.code)
    with cross_agency("system"):
        [copy] = IncomingDocument.objects.filter(agency=commune.agency)
    assert copy.exchange_document_id == outgoing_identifier(document) != ""
    assert incoming_identifier(copy) == copy.exchange_document_id
    parts = parse_document_identifier(copy.exchange_document_id)
    assert (parts.organ_id, parts.notation) == (office.agency.code, document.notation)


def test_a_copy_with_an_unknown_part_has_no_identifier():
    assert copy_identifier(sender_code="", issued_on=None, notation="12/UBND-VP") == ""
    copy = IncomingDocument(sender_code="000.00.12.H52", issued_on=None, notation="12/STC")
    assert incoming_identifier(copy) == ""
