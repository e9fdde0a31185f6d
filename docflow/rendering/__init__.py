"""PDF and CSV rendering for Docflow: pure functions over plain data, no Django.

- ``render_official_document``: an issued document in the Decree 30/2020/NĐ-CP format, each
  type in its own form (``forms.py``: one table of per-type rules).
- ``stamp_incoming``: the "ĐẾN" stamp on page 1 of a received PDF, in free space measured from
  the page's text lines (``freespace.py``).
- ``render_register_pdf`` / ``render_register_csv``: the register books.

Everything here takes dataclasses, strings and dates and returns bytes, so it can run in a web
request, a Celery worker or a script without Django being configured.
"""

from .official import (
    OfficialDocument,
    format_vietnamese_date_line,
    render_official_document,
)
from .registers import (
    INCOMING_REGISTER_COLUMNS,
    OUTGOING_REGISTER_COLUMNS,
    RegisterColumn,
    render_register_csv,
    render_register_pdf,
)
from .stamp import StampError, stamp_incoming

__all__ = [
    "INCOMING_REGISTER_COLUMNS",
    "OUTGOING_REGISTER_COLUMNS",
    "OfficialDocument",
    "RegisterColumn",
    "StampError",
    "format_vietnamese_date_line",
    "render_official_document",
    "render_register_csv",
    "render_register_pdf",
    "stamp_incoming",
]
