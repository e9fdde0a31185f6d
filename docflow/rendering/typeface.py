"""The one typeface every Docflow PDF uses: Liberation Serif, shipped in ``fonts/``.

Decree 30/2020/NĐ-CP asks for a Times New Roman-like Unicode font. Liberation Serif 2.x is
metric-compatible with Times New Roman, covers every Vietnamese letter, and is free to embed
(SIL OFL 1.1, see ``fonts/OFL.txt``). We load the files shipped inside this package, never a
system font, so a PDF comes out the same on every machine.

Registration with reportlab is global, lazy (the TTF files are parsed only when a PDF is first
rendered, so importing the package stays cheap) and guarded by a lock, because Celery workers or
threaded web servers may render their first PDFs concurrently.

reportlab's TrueType subsetting is not thread-safe either: a registered ``TTFont`` parses its
file through one shared read cursor, so two documents embedding subsets at the same time corrupt
each other (wrong bytes, or an IndexError). Every build that embeds these fonts therefore runs
under ``render_lock``. This costs no throughput: reportlab is pure Python and holds the GIL, so
threads could not render in parallel anyway; processes (Celery prefork) are unaffected.
"""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

# reportlab's font registry is process-wide; a "Docflow" prefix keeps our names from clashing
# with any other code in the process registering the same files under the usual names.
FAMILY = "DocflowSerif"
REGULAR = "DocflowSerif"
BOLD = "DocflowSerif-Bold"
ITALIC = "DocflowSerif-Italic"
BOLD_ITALIC = "DocflowSerif-BoldItalic"

_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}

_lock = threading.Lock()
_registered = False

# Re-entrant so that a renderer holding it may call another renderer.
render_lock = threading.RLock()


def ensure_fonts() -> str:
    """Register the four Liberation Serif faces with reportlab once per process.

    Safe to call from any thread and as often as needed; only the first call does work.
    Returns the family name, usable as ``fontName`` with ``<b>``/``<i>`` markup in Paragraphs.
    """
    global _registered
    # Double-checked locking: the fast path takes no lock once registration is done.
    if _registered:
        return FAMILY
    with _lock:
        if not _registered:
            for name, filename in _FILES.items():
                path = FONT_DIR / filename
                if not path.is_file():
                    raise FileNotFoundError(f"bundled font missing: {path}")
                pdfmetrics.registerFont(TTFont(name, str(path)))
            pdfmetrics.registerFontFamily(
                FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
            )
            _registered = True
    return FAMILY


def missing_glyphs(text: str, font_name: str = REGULAR) -> set[str]:
    """Return the characters of ``text`` that the bundled font ``font_name`` has no glyph for.

    Whitespace and control characters are ignored. Used by tests and handy for validating
    user input that must print correctly.
    """
    ensure_fonts()
    cmap = pdfmetrics.getFont(font_name).face.charToGlyph
    return {ch for ch in set(text) if not ch.isspace() and ord(ch) >= 32 and ord(ch) not in cmap}


def compose(text: str) -> str:
    """Return ``text`` in Unicode NFC.

    reportlab does no glyph shaping: a decomposed letter ("e" + U+0302 + U+0301, as some macOS
    and Vietnamese input methods produce) would print its marks beside the letter. The font has
    a precomposed glyph for every Vietnamese letter, so composing first prints them correctly.
    """
    return unicodedata.normalize("NFC", text)
