"""Every page costs the same number of queries with 2 rows as with 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docflow.documents.models import Register, RegisterDirection
from docflow.notifications.services import notification_create
from docflow.routing.handling import incoming_accept
from docflow.routing.models import IncomingDocument
from docflow.core.scoping import agency_scope
from tests.factories import MembershipFactory
from tests.web.conftest import Office, web_client

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _register_url(agency, direction: str) -> str:
    """The registers page showing the agency's general register of ``direction``."""
    with agency_scope(agency):
        register = Register.objects.get(direction=direction, series="general")
    return f"{reverse('web:registers')}?so={register.pk}"


def _grow(office: Office, n: int) -> None:
    for i in range(n):
        office.issued(subject=f"Công văn số {i}")
        office.draft(subject=f"Dự thảo {i}")
        notification_create(agency_id=office.district.pk, recipient_id=office.staff.user_id,
                            kind="delivery_status", title=f"Thông báo {i}", dedup_key=f"q{n}:{i}", email=False)


@pytest.mark.parametrize("name,who", [
    ("web:dashboard", "staff"), ("web:outgoing-list", "staff"), ("web:outgoing-approvals", "leader"),
    ("web:outgoing-to-issue", "clerk"), ("web:notifications", "staff"), ("web:registers", "clerk"),
])
def test_district_pages_cost_a_fixed_number_of_queries(name, who):
    small, large = Office(), Office()
    _grow(small, 2)
    _grow(large, 30)

    def url(office: Office) -> str:
        if name == "web:registers":
            return _register_url(office.district, RegisterDirection.OUTGOING)
        return reverse(name)

    assert _queries(web_client(getattr(small, who)), url(small)) == _queries(web_client(getattr(large, who)), url(large))


def test_outgoing_page_with_its_tracking_costs_the_same_for_2_or_30_recipients():
    small, large = Office(communes=2), Office(communes=30)
    doc_small, doc_large = small.issued(), large.issued()
    url_small = reverse("web:outgoing-detail", args=[doc_small.pk])
    url_large = reverse("web:outgoing-detail", args=[doc_large.pk])
    assert _queries(web_client(small.staff), url_small) == _queries(web_client(large.staff), url_large)


def _commune_with(n: int):
    office = Office(communes=1)
    commune = office.communes[0]
    for i in range(n):
        office.issued(subject=f"Kế hoạch số {i}")
    with agency_scope(commune):
        ids = list(IncomingDocument.objects.values_list("pk", flat=True))
    for pk in ids:
        incoming_accept(membership=office.commune_clerks[0], incoming_id=pk)
    return office, ids


def test_commune_incoming_list_and_register_cost_a_fixed_number_of_queries():
    small, _ = _commune_with(2)
    large, _ = _commune_with(30)
    for url in (reverse("web:incoming-list"), reverse("web:incoming-list") + "?q=ke+hoach&ds=all",
                reverse("web:dashboard")):
        assert _queries(web_client(small.commune_clerks[0]), url) == _queries(web_client(large.commune_clerks[0]), url)
    books = [_register_url(office.communes[0], RegisterDirection.INCOMING) for office in (small, large)]
    assert _queries(web_client(small.commune_clerks[0]), books[0]) == _queries(web_client(large.commune_clerks[0]), books[1])


def test_incoming_page_with_its_people_picker_costs_the_same_for_2_or_30_people():
    small, small_ids = _commune_with(1)
    large, large_ids = _commune_with(1)
    MembershipFactory.create_batch(28, agency=large.communes[0], staff=True)
    a = _queries(web_client(small.commune_leaders[0]), reverse("web:incoming-detail", args=[small_ids[0]]))
    b = _queries(web_client(large.commune_leaders[0]), reverse("web:incoming-detail", args=[large_ids[0]]))
    assert a == b
