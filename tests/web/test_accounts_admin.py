"""The agency admin's pages (default handling days, the member list) and the system
administration a superuser lands on, in Vietnamese."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docflow.audit.models import AuditEvent
from docflow.audit.services import event_record
from docflow.core.scoping import cross_agency
from docflow.routing.models import AgencyHandlingSettings
from docflow.tenancy.models import User
from tests.exchange.factories import webhook_delivery
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db
DAYS = {"normal_days": "7", "urgent_days": "4", "very_urgent_days": "2", "flash_days": "1", "due_soon_days": "2"}


def _post_days(client, **changes):
    once = client.get(reverse("web:admin-handling")).context["form"]["once"].value()
    return client.post(reverse("web:admin-handling"), {"once": once, **DAYS, **changes})


def test_admin_sets_the_default_handling_days_through_the_service(agency_a):
    admin = MembershipFactory(agency=agency_a, admin=True)
    client = web_client(admin)
    page = client.get(reverse("web:admin-handling"))
    assert page.status_code == 200 and page.context["form"]["normal_days"].value() == 10
    response = _post_days(client)
    assert response.status_code == 302
    with cross_agency("system"):
        saved = AgencyHandlingSettings.objects.get(agency=agency_a)
        event = AuditEvent.objects.get(action="incoming.settings_update")
    assert (saved.normal_days, saved.urgent_days, saved.due_soon_days) == (7, 4, 2)
    assert event.actor_id == admin.user_id
    assert "7" in client.get(reverse("web:admin-home")).content.decode()


@pytest.mark.parametrize("field,value", [("normal_days", "0"), ("flash_days", "mot"), ("due_soon_days", "61")])
def test_bad_days_answer_400_naming_the_field(agency_a, field, value):
    response = _post_days(web_client(MembershipFactory(agency=agency_a, admin=True)), **{field: value})
    assert response.status_code == 400 and list(response.context["form"].errors) == [field]
    with cross_agency("system"):
        assert not AgencyHandlingSettings.objects.filter(agency=agency_a).exists()


@pytest.mark.parametrize("role", ["clerk", "leader", "staff"])
def test_handling_days_are_for_agency_admins_only(agency_a, role):
    client = web_client(MembershipFactory(agency=agency_a, **{role: True}))
    assert client.get(reverse("web:admin-handling")).status_code == 403


def test_each_agency_sees_its_own_handling_days(agency_a, agency_b):
    _post_days(web_client(MembershipFactory(agency=agency_a, admin=True)), normal_days="20")
    page = web_client(MembershipFactory(agency=agency_b, admin=True)).get(reverse("web:admin-handling"))
    assert page.context["form"]["normal_days"].value() == 10


def test_system_administrator_lands_on_a_link_to_the_system_administration(db):
    root = User.objects.create_superuser("admin", "admin@docflow.test", "Khong-Doan-Duoc-9")
    client = Client()
    client.force_login(root)
    response = client.get(reverse("web:dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:index") in body and "Quản trị hệ thống" in body and "Chưa có cơ quan" not in body


def test_a_person_without_agency_gets_no_admin_link(db):
    client = Client()
    client.force_login(User.objects.create_user("lac.loai", password="Khong-Doan-Duoc-9"))
    response = client.get(reverse("web:dashboard"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "Chưa có cơ quan" in body and reverse("admin:index") not in body


@pytest.fixture
def root_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@docflow.test", "Khong-Doan-Duoc-9"))
    return client


def test_django_admin_speaks_vietnamese_and_names_memberships(root_client):
    agency = AgencyFactory(name="Ủy ban nhân dân xã Phiêng Ban")
    member = MembershipFactory(agency=agency, clerk=True, user__full_name="Nguyễn Thị Thu")
    assert "Quản trị hệ thống Docflow" in root_client.get(reverse("admin:index")).content.decode()
    listing = root_client.get(reverse("admin:tenancy_membership_changelist")).content.decode()
    assert "Người dùng" in listing and "Cơ quan" in listing and "Đang làm việc" in listing
    page = root_client.get(reverse("admin:tenancy_membership_change", args=[member.pk])).content.decode()
    assert "Nguyễn Thị Thu — UBND xã Phiêng Ban (văn thư)" in page and "@ " not in page
    user_page = root_client.get(reverse("admin:tenancy_user_change", args=[member.user_id])).content.decode()
    assert "Phòng, ban" in user_page


def test_django_admin_audit_log_and_its_view_page_are_labelled(root_client, agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    event = event_record(agency_id=agency_a.pk, actor_id=member.user_id, action="membership.saved",
                         object_type="membership", object_id=member.uuid)
    listing = root_client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert "Loại đối tượng" in listing and "Người thực hiện" in listing and "Object type" not in listing
    page = root_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert page.status_code == 200 and "Mã đối tượng" in page.content.decode()


def test_django_admin_exchange_pages_answer_in_vietnamese_and_hide_secrets(root_client, agency_a):
    delivery = webhook_delivery(agency=agency_a)
    keys = root_client.get(reverse("admin:exchange_exchangeclient_changelist")).content.decode()
    assert "Dùng lần cuối" in keys and "Đầu khóa" in keys
    key_page = root_client.get(reverse("admin:exchange_exchangeclient_change", args=[delivery.client_id])).content.decode()
    assert "Cơ quan ngoài hệ thống" in key_page and delivery.client.signing_secret not in key_page
    assert 'name="key_prefix"' not in key_page  # read-only, shown once as a column
    log = root_client.get(reverse("admin:exchange_webhookdelivery_changelist")).content.decode()
    assert "Lần thử" in log and "Thành công" in log
    assert root_client.get(reverse("admin:exchange_webhookdelivery_change", args=[delivery.pk])).status_code == 200


def _admin_home_queries(members: int) -> int:
    agency = AgencyFactory()
    unit = UnitFactory(agency=agency)
    admin = MembershipFactory(agency=agency, admin=True, unit=unit)
    for _ in range(members):
        MembershipFactory(agency=agency, staff=True, unit=unit)
    client = web_client(admin)
    client.get(reverse("web:admin-home"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("web:admin-home"))
    assert response.status_code == 200 and len(response.context["people"]) == members + 1
    return len(ctx.captured_queries)


def test_the_member_list_costs_the_same_queries_for_3_and_30_people(db):
    assert _admin_home_queries(2) == _admin_home_queries(29)


def test_the_account_pages_have_their_english(agency_a):
    client = web_client(MembershipFactory(agency=agency_a, admin=True))
    client.post(reverse("web:set-language"), {"language": "en", "next": "/"})
    assert "New password again" in client.get(reverse("web:password-change")).content.decode()
    assert "Default handling days" in client.get(reverse("web:admin-handling")).content.decode()
