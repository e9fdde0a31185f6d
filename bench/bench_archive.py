"""Benchmark: building an archive transfer package (BagIt ZIP) of 1,000 files with 20,000
documents, against a plain ``zip`` of the same stored files in the same run.

Run from the repository root (embedded SQLite unless DATABASE_URL is set):

    python bench/bench_archive.py                          # 1,000 files, 20,000 documents, 16 KiB each
    python bench/bench_archive.py --files 100 --docs 2000  # quicker

It arranges one agency with ``files`` closed files holding ``docs`` incoming documents (one PDF
each, distinct random bytes so nothing compresses or deduplicates), then, each in a fresh child
process so the peak resident memory is the step's own: ``archive_package_build`` (handover
list and record, metadata, checksums, progress) and Python's ``zipfile`` writing the same
stored files to a ZIP without any of that. It prints time, peak RSS and payload bytes per second.
Not a test: performance is measured here, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import Stopwatch, times  # noqa: E402
from bench.datagen import Dataset, django_setup  # noqa: E402

TAG = "AR"


def _pdf_template() -> bytes:
    from reportlab.pdfgen.canvas import Canvas
    import io

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 720, "Van ban luu tru")
    canvas.save()
    return buffer.getvalue()


def arrange(*, files: int, docs: int, size: int) -> str:
    """The agency, its closed files and documents, and a transfer of all of them; returns its id."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone

    from docflow.core.ids import uuid7
    from docflow.documents.files import storage_name
    from docflow.documents.models import StoredFile
    from docflow.records.models import (
        ArchiveTransfer, ArchiveTransferFile, FileDocument, FileState, WorkFile,
    )
    from docflow.core.scoping import cross_agency
    from docflow.routing.copies import copy_texts_set
    from docflow.routing.models import IncomingAttachment, IncomingDocument

    Dataset.delete(tag=TAG)
    data = Dataset.create(tag=TAG, agencies=1)
    agency, clerk = data.sender, data.member(data.sender, "clerk")
    template, now = _pdf_template(), timezone.now()
    stored, copies, attachments = [], [], []
    for i in range(docs):
        body = template + b"%" + os.urandom(max(size - len(template) - 2, 0)) + b"\n"
        sha = hashlib.sha256(body).hexdigest()
        default_storage.save(storage_name(sha), ContentFile(body))
        stored.append(StoredFile(sha256=sha, size=len(body), content_type="application/pdf",
                                 storage_name=storage_name(sha)))
        copy = IncomingDocument(
            id=uuid7(), agency=agency, status_code="06", sender_code="000.00.00.G01",
            sender_name="Sở Nội vụ tỉnh Sơn La", number=i % 999 + 1, notation=f"{i % 999 + 1:02d}/SNV-VP",
            issued_on=now.date(), doc_type="cong_van", subject=f"Về việc báo cáo công tác số {i}",
            delivered_at=now,
        )
        copies.append(copy)
        attachments.append(IncomingAttachment(id=uuid7(), agency=agency, incoming_id=copy.id, name=f"van-ban-{i}.pdf",
                                              file_id=sha, size=len(body), content_type="application/pdf"))
    per_file = docs // files
    with transaction.atomic():
        StoredFile.objects.bulk_create(stored, batch_size=2000, ignore_conflicts=True)
        with cross_agency("system"):
            copy_texts_set(copies)
        IncomingDocument.objects.cross_agency("system").bulk_create(copies, batch_size=2000)
        IncomingAttachment.objects.cross_agency("system").bulk_create(attachments, batch_size=2000)
        work_files = WorkFile.objects.cross_agency("system").bulk_create([
            WorkFile(agency=agency, year=now.year, code=f"{n + 1:04d}.VP", title=f"Hồ sơ công việc số {n + 1}",
                     retention_years=10, state=FileState.TRANSFERRED, opened_by=clerk.user, responsible=clerk.user,
                     closed_at=now, closing_note="Kết thúc.", document_count=per_file, page_count=per_file,
                     search_text=f"{n + 1:04d}.vp ho so cong viec so {n + 1}")
            for n in range(files)
        ], batch_size=2000)
        FileDocument.objects.cross_agency("system").bulk_create([
            FileDocument(agency=agency, work_file=work_files[i // per_file], incoming=copy,
                         position=i % per_file + 1, page_count=1, added_by=clerk.user)
            for i, copy in enumerate(copies[: per_file * files])
        ], batch_size=5000)
        transfer = ArchiveTransfer.objects.cross_agency("system").create(
            agency=agency, requested_by=clerk.user, documents_total=per_file * files)
        ArchiveTransferFile.objects.cross_agency("system").bulk_create([
            ArchiveTransferFile(agency=agency, transfer=transfer, work_file=f, position=n + 1)
            for n, f in enumerate(work_files)
        ], batch_size=5000)
    return str(transfer.id)


class AnonPeak:
    """Samples the process's anonymous resident memory (heap, not mapped files such as the
    SQLite database) every 20 ms; ``peak_kib`` is the most seen, ``start_kib`` the first."""

    def __init__(self) -> None:
        self.start_kib = self.peak_kib = self._now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _now() -> int:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("RssAnon:"))

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_kib = max(self.peak_kib, self._now())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, self._now())


def build(transfer_id: str) -> dict:
    from docflow.records.models import ArchiveTransfer
    from docflow.records.transfers import archive_package_build

    with_scope = ArchiveTransfer.objects.cross_agency("system")
    agency_id = with_scope.get(pk=transfer_id).agency_id
    with AnonPeak() as memory, Stopwatch() as watch:
        archive_package_build(agency_id=agency_id, transfer_id=transfer_id)
    transfer = with_scope.get(pk=transfer_id)
    return {"seconds": watch.seconds, "rss_before_kib": memory.start_kib, "rss_peak_kib": memory.peak_kib,
            "bytes": transfer.package_size, "documents": transfer.documents_done}


def plain_zip(transfer_id: str) -> dict:
    """The same stored files into a ZIP with ``zipfile``: no metadata, no hashing, no PDFs."""
    from django.core.files.storage import default_storage

    from docflow.documents.files import storage_name
    from docflow.records.models import FileDocument
    from docflow.routing.models import IncomingAttachment

    items = FileDocument.objects.cross_agency("system").filter(work_file__transfers__id=transfer_id)
    shas = list(IncomingAttachment.objects.cross_agency("system")
                .filter(incoming_id__in=items.values("incoming_id")).values_list("file_id", flat=True))
    with AnonPeak() as memory, tempfile.NamedTemporaryFile(suffix=".zip") as out:
        with Stopwatch() as watch:
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                for sha in shas:
                    zf.write(default_storage.path(storage_name(sha)), arcname=f"{sha}.pdf")
            size = out.tell()
    return {"seconds": watch.seconds, "rss_before_kib": memory.start_kib, "rss_peak_kib": memory.peak_kib,
            "bytes": size, "documents": len(shas)}


def _child(step: str, transfer_id: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", step, transfer_id], capture_output=True, text=True,
                         check=True, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print(name: str, r: dict) -> None:
    print(f"{name:<24} {r['seconds']:8.1f} s  peak anonymous RSS {r['rss_peak_kib'] / 1024:6.1f} MiB "
          f"(+{(r['rss_peak_kib'] - r['rss_before_kib']) / 1024:.1f} during the step)  "
          f"{r['bytes'] / 2**20:8.1f} MiB  {r['bytes'] / r['seconds'] / 2**20:6.1f} MiB/s  {r['documents']} documents")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--size-kib", type=int, default=16)
    parser.add_argument("--step", choices=["build", "zip"])
    parser.add_argument("--reuse", metavar="TRANSFER_ID", help="measure again on data arranged before "
                        "(same DOCFLOW_DATA_DIR); the package is rebuilt")
    parser.add_argument("transfer_id", nargs="?")
    args = parser.parse_args()
    os.environ.setdefault("DOCFLOW_DATA_DIR", tempfile.mkdtemp(prefix="docflow-bench-archive-"))
    django_setup()
    if args.step:
        from django.core.management import call_command  # noqa: F401  (Django is set up)

        print(json.dumps(build(args.transfer_id) if args.step == "build" else plain_zip(args.transfer_id)))
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.reuse:
        from docflow.records.models import ArchiveTransfer

        ArchiveTransfer.objects.cross_agency("system").filter(pk=args.reuse).update(package_sha256="")
        transfer_id = args.reuse
    else:
        with Stopwatch() as watch:
            transfer_id = arrange(files=args.files, docs=args.docs, size=args.size_kib * 1024)
        print(f"arranged {args.files} files, {args.docs} documents of {args.size_kib} KiB in "
              f"{watch.seconds:.1f} s (data in {os.environ['DOCFLOW_DATA_DIR']}, "
              f"transfer {transfer_id})")
    package = _child("build", transfer_id)
    plain = _child("zip", transfer_id)
    _print("BagIt package (Docflow)", package)
    _print("plain zip", plain)
    print(f"package / plain zip: {times(package['seconds'], plain['seconds'])} the time, "
          f"{(package['bytes'] / package['seconds']) / (plain['bytes'] / plain['seconds']):.2f}× the bytes/s")


if __name__ == "__main__":
    main()
