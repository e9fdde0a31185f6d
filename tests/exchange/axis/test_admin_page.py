"""The agency admin reads its own axis exchanges, never another agency's, at a fixed cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docflow.core.scoping import agency_scope
from docflow.exchange.axis.models import AxisMessage, State
from tests.exchange.factories import ExternalAgencyFactory
from tests.factories import AgencyFactory, MembershipFactory
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db
URL = "/quan-tri/truc-lien-thong/"


def logged(agency, n: int, *, state=State.SENT, error="") -> list[AxisMessage]:
    other_side = ExternalAgencyFactory()
    with agency_scope(agency):
        return AxisMessage.objects.bulk_create([
            AxisMessage(agency=agency, direction="out", kind="edoc", document_identifier=f"{agency.code},2026/03/05,{i:02d}/UBND-VP",
                        counterpart=other_side, counterpart_code=other_side.code, state=state, attempts=i + 1,
                        last_error=error, dedup_key=f"t:{agency.pk}:{state}:{i}")
            for i in range(n)
        ])


def test_agency_admin_sees_its_exchanges_with_direction_recipient_state_attempts_and_error():
    admin = MembershipFactory(admin=True)
    [failed] = logged(admin.agency, 1, state=State.PENDING, error="getEdoc: HTTP 503")
    page = web_client(admin).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert failed.document_identifier in text and "HTTP 503" in text and "Đang chờ gửi" in text
    assert failed.counterpart.name in text
    assert web_client(admin).get(URL, {"trang-thai": "attention"}).content.decode().count(failed.document_identifier) == 1
    detail = web_client(admin).get(reverse("web:admin-axis-message", args=[failed.id]))
    assert detail.status_code == 200 and "HTTP 503" in detail.content.decode()


def test_agency_admin_never_sees_another_agencys_exchanges():
    admin = MembershipFactory(admin=True)
    other = AgencyFactory()
    [theirs] = logged(other, 1)
    assert theirs.document_identifier not in web_client(admin).get(URL).content.decode()
    assert web_client(admin).get(reverse("web:admin-axis-message", args=[theirs.id])).status_code == 404


def test_clerk_cannot_read_the_axis_log():
    clerk = MembershipFactory(clerk=True)
    assert web_client(clerk).get(URL).status_code == 403


def test_the_axis_log_costs_the_same_queries_for_2_and_40_exchanges():
    def queries(n: int) -> int:
        admin = MembershipFactory(admin=True)
        logged(admin.agency, n)
        client = web_client(admin)
        client.get(URL)  # the session's first request settles its rows
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    assert queries(2) == queries(40)


def test_the_system_administrator_reads_every_agencys_axis_log_in_the_django_admin():
    from django.test import Client

    from docflow.tenancy.models import User

    a, b = logged(AgencyFactory(), 1, error="sendEdoc: HTTP 502")[0], logged(AgencyFactory(), 1)[0]
    root = Client()
    root.force_login(User.objects.create_superuser("root", "root@docflow.test", "Khong-Doan-Duoc-9"))
    listing = root.get(reverse("admin:axis_axismessage_changelist"))
    text = listing.content.decode()
    assert listing.status_code == 200 and a.document_identifier in text and b.document_identifier in text
    assert "HTTP 502" in text
    assert root.get(reverse("admin:axis_axismessage_change", args=[a.pk])).status_code == 200
