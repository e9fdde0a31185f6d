"""The files pages in Vietnamese: list, a file, my files, filing from a document's page, handing over."""

from __future__ import annotations

from django.test import Client

from docflow.records.models import ArchiveTransfer, FileDocument
from docflow.core.scoping import cross_agency
from tests.records.factories import WorkFileFactory
from tests.factories import AgencyFactory


def browser(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_clerk_opens_a_file_and_staff_files_a_reply_from_its_page(archive, django_capture_on_commit_callbacks):
    clerk = browser(archive.clerk)
    page = clerk.get("/ho-so/")
    assert page.status_code == 200 and "Mở hồ sơ ngoài danh mục" in page.content.decode()
    form = page.context["open_form"]
    opened = clerk.post("/ho-so/mo/", {"once": form["once"].value(), "ky_hieu": "01.VP", "tieu_de": "Hồ sơ rà soát",
                                      "nam": 2026, "thoi_han": "20"})
    assert opened.status_code == 302
    file_url = opened["Location"]
    assert "01.VP" in clerk.get(file_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        copy = archive.received()
    staff = browser(archive.staff)
    detail = staff.get(f"/van-ban-den/{copy.pk}/")
    text = detail.content.decode()
    assert "Lưu vào hồ sơ" in text and "01.VP" in text
    once = detail.context["form"]["once"].value()
    added = staff.post("/ho-so/luu-van-ban/", {"once": once, "ho_so": file_url.split("/")[2], "loai": "incoming",
                                               "van_ban": str(copy.pk), "next": f"/van-ban-den/{copy.pk}/"})
    assert added.status_code == 302 and added["Location"] == f"/van-ban-den/{copy.pk}/"
    with cross_agency("system"):
        assert FileDocument.objects.filter(incoming=copy).count() == 1
    assert "Đang nằm trong" in staff.get(f"/van-ban-den/{copy.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reply = archive.answered(copy)
    reply_page = staff.get(f"/van-ban-di/{reply.pk}/").content.decode()
    assert "01.VP — Hồ sơ rà soát (gợi ý)" in reply_page
    assert staff.get("/ho-so/cua-toi/").status_code == 200


def test_transfer_page_makes_a_package_and_serves_it(archive, django_capture_on_commit_callbacks):
    closed = WorkFileFactory(agency=archive.agency, state="closed", code="02.VP")
    clerk = browser(archive.clerk)
    page = clerk.get("/ho-so/nop-luu/")
    assert "02.VP" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        made = clerk.post("/ho-so/nop-luu/", {"once": page.context["form"]["once"].value(), "ho_so": [str(closed.pk)]})
    assert made.status_code == 302
    with cross_agency("system"):
        transfer = ArchiveTransfer.objects.get(agency=archive.agency)
    listing = clerk.get(f"/ho-so/nop-luu/{transfer.pk}/muc-luc.pdf")
    assert listing.status_code == 200 and b"".join(listing.streaming_content).startswith(b"%PDF")
    assert clerk.get(f"/ho-so/nop-luu/{transfer.pk}/goi.zip")["Content-Type"] == "application/zip"
    assert browser(archive.staff).get("/ho-so/nop-luu/").status_code == 403


def test_another_agencys_file_page_is_404(archive):
    theirs = WorkFileFactory(agency=AgencyFactory())
    assert browser(archive.clerk).get(f"/ho-so/{theirs.pk}/").status_code == 404


def test_clerk_adds_a_list_line_from_the_retention_table_and_admin_keeps_the_table(archive):
    admin = browser(archive.admin)
    page = admin.get("/ho-so/thoi-han-bao-quan/")
    assert "Hồ sơ giải quyết khiếu nại, tố cáo" in page.content.decode()  # seeded
    saved = admin.post("/ho-so/thoi-han-bao-quan/", {"once": page.context["form"]["once"].value(), "so": "9.1",
                                                     "ten": "Hồ sơ dự án đầu tư công", "thoi_han": ""})
    assert saved.status_code == 302
    clerk = browser(archive.clerk)
    once = clerk.get("/ho-so/thoi-han-bao-quan/").context["form"]["once"].value()
    refused = clerk.post("/ho-so/thoi-han-bao-quan/", {"once": once, "so": "9.2", "ten": "Hồ sơ khác"})
    assert refused.status_code == 403 and "9.2" not in clerk.get("/ho-so/thoi-han-bao-quan/").content.decode()
    listing = clerk.get("/ho-so/danh-muc/?nam=2026")
    form = listing.context["new_entry_form"]
    rule = next(value for value, label in form.fields["nhom"].choices if label.startswith("9.1 "))
    added = clerk.post("/ho-so/danh-muc/2026/ho-so/", {"once": form["once"].value(), "ky_hieu": "11.DT",
                                                       "tieu_de": "Hồ sơ dự án trường tiểu học", "nhom": rule})
    assert added.status_code == 302
    text = clerk.get("/ho-so/danh-muc/?nam=2026").content.decode()
    assert "Hồ sơ dự án trường tiểu học" in text and "Vĩnh viễn" in text


def test_past_retention_page_lists_files_for_review(archive):
    WorkFileFactory(agency=archive.agency, state="closed", code="03.VP", disposal_on="2031-06-30")
    WorkFileFactory(agency=archive.agency, state="closed", code="04.VP", disposal_on="2040-01-01")
    text = browser(archive.staff).get("/ho-so/het-thoi-han/?nam=2031").content.decode()
    assert "03.VP" in text and "04.VP" not in text
