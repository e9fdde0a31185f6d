"""The axis's stage: the stand-in axis on 127.0.0.1, the connector pointed at it, and an agency
on another vendor's system that only the axis reaches (no Docflow API key)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from docflow.config import AxisConfig
from docflow.exchange.edxml_render import edxml_render
from tests.exchange.axis_standin import SECRET, SYSTEM_ID, Standin
from tests.exchange.conftest import small_pdf
from tests.exchange.factories import ExternalAgencyFactory


@pytest.fixture
def axis(settings):
    standin = Standin()
    standin.start()
    settings.DOCFLOW_AXIS = AxisConfig(url=standin.url, system_id=SYSTEM_ID, secret=SECRET, timeout_seconds=5)
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture
def province_department(transactional_db):
    """Sở Tài chính tỉnh Sơn La, on another vendor's product, reached through the axis."""
    return ExternalAgencyFactory(code="000.00.12.H52", name="Sở Tài chính tỉnh Sơn La")


def vendor_package(*, sender, to_codes: list[str], number: int = 45, notation: str = "45/STC-NS",
                   document_id: str = "", subject: str = "Về việc hướng dẫn lập dự toán ngân sách năm 2027",
                   business: dict | None = None, **overrides) -> bytes:
    """A package as another vendor's system sends it over the axis: root `<edXML>`, unsigned."""
    envelope = {
        "id": document_id or f"{sender.code},2026/03/05,{notation}", "sender_code": sender.code,
        "sender_name": sender.name, "recipients": to_codes, "number": number, "notation": notation,
        "issued_at": date(2026, 3, 5), "place": "Sơn La", "doc_type": "cong_van", "subject": subject,
        "content": "Đề nghị các xã lập dự toán.", "urgency": "urgent",
        "signer": {"full_name": "Lường Văn Thành", "position": "Giám đốc", "competence": ""},
        "sender": {"OrganId": sender.code, "OrganName": sender.name, "OrganizationInCharge": "UBND tỉnh Sơn La",
                   "OrganAdd": "Sơn La", "Email": "stc@sonla.gov.vn", "Telephone": "0212 3852 000"},
        **overrides,
    }
    return edxml_render(envelope=envelope, trace=[(sender.code, timezone.make_aware(datetime(2026, 3, 5, 8, 30)))],
                        attachments=[("45-STC-NS.pdf", "application/pdf", small_pdf("Huong dan du toan"))],
                        business=business)
