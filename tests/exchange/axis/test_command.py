"""The operator's ``manage.py axis_run``: a directory sync and a poll now, with what happened."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from docflow.core.scoping import agency_scope
from docflow.routing.models import IncomingDocument
from docflow.tenancy.models import Agency
from tests.documents.story import sending_office
from tests.exchange.axis.conftest import vendor_package

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = StringIO()
    call_command("axis_run", *args, stdout=out)
    return out.getvalue()


def test_the_operator_syncs_the_directory_and_polls_the_axis_now(axis, province_department):
    office = sending_office()
    axis.agencies = [{"id": "1", "code": "000.00.13.H52", "name": "Sở Xây dựng tỉnh Sơn La", "pid": "", "mail": ""}]
    axis.deliver(vendor_package(sender=province_department, to_codes=[office.agency.code]),
                 sender_code=province_department.code, to_codes=[office.agency.code])

    printed = run("--sync", "--poll")
    assert "Danh bạ: 1 cơ quan mới, 0 đổi tên, 0 bỏ qua." in printed
    assert "Nhận gói tin: 1 đã nhận, 0 trùng, 0 bị từ chối" in printed
    assert Agency.objects.get(code="000.00.13.H52").is_external
    with agency_scope(office.agency):
        assert IncomingDocument.objects.count() == 1
    assert "Nhận gói tin: 0 đã nhận" in run("--poll")  # taken: nothing more waits


def test_the_command_says_when_the_connector_is_off_or_nothing_was_asked(settings, axis):
    with pytest.raises(CommandError, match="--sync, --poll"):
        run()
    settings.DOCFLOW_AXIS = None
    with pytest.raises(CommandError, match="DOCFLOW_AXIS_URL"):
        run("--poll")
