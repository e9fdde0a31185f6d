"""A commune clerk scans a paper quyết định, checks what OCR read and registers it (Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from docflow.core.scoping import cross_agency
from docflow.routing.models import IncomingDocument
from tests.factories import AgencyFactory, MembershipFactory
from tests.ocr.scans import official, require_ocr, scan_pdf

pytestmark = [pytest.mark.browser, pytest.mark.ocr, pytest.mark.django_db(transaction=True)]


def test_the_clerk_registers_a_scanned_quyet_dinh_from_the_prefilled_form(sign_in, tmp_path):
    require_ocr()
    commune = AgencyFactory(name="Ủy ban nhân dân xã Phiêng Ban")
    clerk = sign_in(MembershipFactory(agency=commune, clerk=True, user__full_name="Lò Thị Hoa"))
    scan = tmp_path / "quyet-dinh.pdf"
    scan.write_bytes(scan_pdf(official(), angle=1.5, noise=0.004))
    page = clerk.page
    page.goto("/van-ban-den/")
    page.get_by_role("link", name="Vào sổ văn bản giấy").click()
    clerk.shot("intake-01-empty")
    page.locator("#id_files").set_input_files(str(scan))
    page.get_by_role("button", name="Tải lên và nhận dạng").click()
    expect(page.get_by_text("Đã nhận dạng", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_label("Số và ký hiệu")).to_have_value("15/QĐ-UBND")
    expect(page.get_by_label("Ngày ban hành")).to_have_value("05/03/2026")
    clerk.shot("intake-02-prefilled")
    page.get_by_label("Hình thức nhận").select_option("paper")
    page.get_by_role("button", name="Vào sổ").click()
    expect(page.get_by_text("Đã vào sổ văn bản đến số 1.")).to_be_visible()
    clerk.shot("intake-03-registered")
    assert not clerk.errors
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=commune)
    assert (copy.notation, copy.doc_type, copy.medium) == ("15/QĐ-UBND", "quyet_dinh", "paper")
