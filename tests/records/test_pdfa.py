"""PDF/A in the transfer package: a PDF/A-2b rendition beside each unsigned PDF, the signed
original kept byte for byte with no rendition, a failed conversion recorded, the bag verifying."""

from __future__ import annotations

import hashlib
import json
import zipfile

import bagit
import pytest

from docflow.core.scoping import cross_agency
from docflow.documents.files import stored_file_open
from docflow.records import pdfa
from docflow.records.models import ArchiveTransfer
from docflow.records.services import work_file_close, work_file_document_add, work_file_open
from docflow.records.transfers import archive_package_build, archive_transfer_create
from tests.signing.pki import pki_make


@pytest.fixture
def signed_office(archive, tmp_path, settings):
    """Our agency holds keys, so the reply it issues is a signed PDF (PAdES)."""
    (tmp_path / "ca").mkdir()
    pki_make(tmp_path / "ca", settings).keys_for(archive.office)
    return archive


def _build(archive, tmp_path, capture) -> tuple[dict, object]:
    with capture(execute=True):
        copy = archive.received()
        reply = archive.answered(copy)
    work_file = work_file_open(actor=archive.clerk, year=2026, code="03.VP", title="Hồ sơ rà soát", retention=10)
    work_file_document_add(actor=archive.staff, file_id=work_file.pk, incoming_id=copy.pk)
    work_file_document_add(actor=archive.staff, file_id=work_file.pk, outgoing_id=reply.pk)
    work_file_close(actor=archive.clerk, file_id=work_file.pk, note="Xong.")
    transfer = archive_transfer_create(actor=archive.archivist, file_ids=[work_file.pk])
    sha256 = archive_package_build(agency_id=archive.agency.pk, transfer_id=transfer.pk)
    with cross_agency("system"):
        assert ArchiveTransfer.objects.get(pk=transfer.pk).package_sha256 == sha256
    out = tmp_path / "bag"
    with stored_file_open(sha256=sha256) as fh:
        zipfile.ZipFile(fh).extractall(out)
    (bag_dir,) = out.iterdir()
    bagit.Bag(str(bag_dir)).validate()
    (meta_path,) = bag_dir.glob("data/*/ho-so.json")
    return json.loads(meta_path.read_text()), bag_dir


def test_unsigned_pdfs_get_a_pdfa_rendition_and_signed_originals_stay_byte_identical(
        signed_office, tmp_path, django_capture_on_commit_callbacks):
    meta, bag_dir = _build(signed_office, tmp_path, django_capture_on_commit_callbacks)
    parts = [p for d in meta["van_ban"] for p in d["tep"]]
    unsigned = [p for p in parts if not p["chu_ky_so"]]
    signed = [p for p in parts if p["chu_ky_so"]]
    assert unsigned and signed, parts
    for part in unsigned:
        rendition = part["ban_pdfa"]
        assert rendition["pdfa"] == "2b" and "/pdfa/" in rendition["duong_dan"]
        data = (bag_dir / rendition["duong_dan"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == rendition["sha256"] != part["sha256"]
        assert b"pdfaid:part='2'" in data or b"<pdfaid:part>2</pdfaid:part>" in data
        assert b"/OutputIntents" in data
    for part in signed:
        assert part["ban_pdfa"] is None and part["ly_do_khong_co_ban_pdfa"] == "chu_ky_so_giu_nguyen_ban_goc"
        with stored_file_open(sha256=part["sha256"]) as fh:
            assert (bag_dir / part["duong_dan"]).read_bytes() == fh.read()
    assert len(list(bag_dir.glob("data/*/*/pdfa/*.pdf"))) == len(unsigned)


def test_a_failed_conversion_is_recorded_and_the_package_still_verifies(
        archive, tmp_path, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(pdfa, "TIMEOUT_SECONDS", 0.000001)
    meta, bag_dir = _build(archive, tmp_path, django_capture_on_commit_callbacks)
    parts = [p for d in meta["van_ban"] for p in d["tep"]]
    assert parts and all(p["ban_pdfa"] is None for p in parts)
    assert {p["ly_do_khong_co_ban_pdfa"] for p in parts} == {"chuyen_doi_loi: timeout"}
    assert not list(bag_dir.glob("data/*/*/pdfa/*"))


def test_without_ghostscript_the_reason_is_named(monkeypatch, db):
    monkeypatch.setattr(pdfa.shutil, "which", lambda name: None)
    assert pdfa.pdfa_rendition(sha256="0" * 64) == pdfa.Rendition(failure="ghostscript_missing")
