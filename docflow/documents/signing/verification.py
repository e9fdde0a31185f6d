"""Verification on receipt: every PDF that arrives is checked once per content (the StoredFile),
however many copies carry it, by the ``signing.verify_file`` worker task."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from docflow.documents.files import stored_file_open
from docflow.documents.models import StoredFile
from docflow.documents.signing.models import FileVerification
from docflow.documents.signing.validation import load_certificates, validate_pdf

VERIFY_TASK = "signing.verify_file"
PDF = "application/pdf"


def verification_work(sha256s: Iterable[str]) -> list[dict]:
    """Outbox rows asking the worker to verify these files: one per distinct content, and the
    dedup key makes a content already asked for (by another copy, another issue) free."""
    return [
        {"task_name": VERIFY_TASK, "queue": "pdf", "dedup_key": f"verify:{sha}", "kwargs": {"sha256": sha}}
        for sha in dict.fromkeys(sha256s)
    ]


def file_verify(*, sha256: str, force: bool = False) -> FileVerification | None:
    """Check the signatures of a stored PDF and keep the result; None when the file is gone.
    Safe to run twice: a content already checked is returned as it is unless ``force``."""
    stored = StoredFile.objects.filter(sha256=sha256).first()
    if stored is None:
        return None
    if not force:
        done = FileVerification.objects.filter(file=stored).first()
        if done is not None:
            return done
    with stored_file_open(sha256=sha256) as fh:
        data = fh.read()
    results = validate_pdf(
        data, trust_roots=load_certificates(settings.DOCFLOW_TRUST_ROOTS),
        fetch=settings.DOCFLOW_REVOCATION_FETCH,
    )
    row, _ = FileVerification.objects.update_or_create(file=stored, defaults={"signatures": results})
    return row


def signatures_by_file(sha256s: Iterable[str]) -> dict[str, list[dict]]:
    """Verification results of many files in one query (lists of attachments)."""
    return {
        v.file_id: v.signatures
        for v in FileVerification.objects.filter(file_id__in=set(sha256s))
    }


def file_verification(*, sha256: str) -> FileVerification | None:
    """The stored verification of one file (None before it was checked, or for no file)."""
    return FileVerification.objects.filter(file_id=sha256).first() if sha256 else None
