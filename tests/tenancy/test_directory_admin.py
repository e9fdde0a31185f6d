"""The system administrator onboards a province from the admin: upload, read the report, confirm."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docflow.tenancy.models import Agency, User
from tests.factories import MembershipFactory
from tests.tenancy.test_directory_import import PROVINCE

pytestmark = pytest.mark.django_db
URL = "/admin/tenancy/agency/nhap-danh-muc/"


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.test", "x"))
    return client


def upload(client, text: str):
    return client.post(URL, {"file": SimpleUploadedFile("sonla.csv", text.encode("utf-8"), "text/csv")})


def test_system_admin_checks_a_file_with_errors_and_sees_each_line_and_column(admin_client):
    answer = upload(admin_client, PROVINCE.replace(",ward,", ",phuong,"))
    assert answer.status_code == 200
    errors = answer.context["errors"]
    assert [(e.line, e.column) for e in errors] == [(2, "kind")]
    assert b'id="import-errors"' in answer.content and not Agency.objects.exists()


def test_system_admin_checks_then_confirms_and_gets_the_one_time_links(admin_client):
    answer = upload(admin_client, PROVINCE)
    assert len(answer.context["plan"].created) == 4 and not Agency.objects.exists()  # checked, not written
    confirmed = admin_client.post(URL, {"text": answer.context["text"], "confirm": "1"})
    result = confirmed.context["result"]
    assert (result.created, result.updated) == (4, 0) and Agency.objects.count() == 4
    assert "chiengle_vt" in confirmed.content.decode() and "/dat-lai-mat-khau/" in confirmed.content.decode()
    again = admin_client.post(URL, {"text": answer.context["text"], "confirm": "1"})
    assert (again.context["result"].created, again.context["result"].updated) == (0, 0)


def test_an_agency_admin_cannot_open_the_import_page(client, agency_a):
    member = MembershipFactory(agency=agency_a, admin=True)
    client.force_login(member.user)
    answer = client.get(URL)
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    assert upload(client, PROVINCE).status_code == 302 and not Agency.objects.exclude(pk=agency_a.pk).exists()
