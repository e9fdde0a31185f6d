"""The search text of incoming copies, stored once per distinct text (``CopyText``).

An issue to 10,000 agencies makes 10,000 copies of one envelope: their folded text
(``docflow.core.search``) is one row here and one entry in its trigram index, and each copy
points to it (``IncomingDocument.search``). Content-addressed, like stored files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from uuid import UUID

from django.db import models
from django.utils.translation import gettext_lazy as _

from docflow.core.scoping import query_rls


def copy_text_id(text: str) -> UUID:
    """The identifier of a search text: the first 128 bits of its SHA-256 (content-addressed,
    like files: copies with the same text name the same row, with nothing read back)."""
    return UUID(bytes=hashlib.sha256(text.encode()).digest()[:16])


# copy_text_id in SQL (PostgreSQL), for writers that make texts in the database (benchmarks).
COPY_TEXT_ID_SQL = "encode(substring(sha256(convert_to({text}, 'UTF8')) FROM 1 FOR 16), 'hex')::uuid"


class CopyText(models.Model):
    """The folded search text of incoming copies (``docflow.core.search``), stored once for
    every copy whose envelope folds to it: an issue to 10,000 agencies writes one text and one
    trigram-index entry, not 10,000 (bench/bench_issue.py). Rows never change (a copy whose
    text changes points to another row). No agency of its own: on PostgreSQL row-level
    security shows a text only where a copy the session may read points to it
    (``docflow.core.rls.SHARED_TABLES``). Its trigram index is made by migration 0011."""

    id = models.UUIDField(primary_key=True, editable=False)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("nội dung tìm kiếm của văn bản đến")

    def __str__(self) -> str:
        return self.text[:60]


def copy_texts_store(texts: Iterable[str], *, agency_id: int | None = None,
                     purpose: str | None = None) -> dict[str, UUID]:
    """Make sure each text is stored (one INSERT, rows already there left as they are) and
    return {text: its identifier}. Written for the copy of ``agency_id``, or for a fan-out
    as ``purpose`` (row-level security wants a scope named for any write)."""
    ids = {text: copy_text_id(text) for text in texts}
    if ids:
        with query_rls((agency_id, (purpose,) if purpose else ())):
            CopyText.objects.bulk_create(
                [CopyText(id=i, text=t) for t, i in ids.items()], ignore_conflicts=True
            )
    return ids
