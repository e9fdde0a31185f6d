"""Vietnamese text folding: search that ignores diacritics and case (`dien` finds `điện`)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip every diacritic (đ → d), collapse white space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def slugify_vi(text: str) -> str:
    """`Phiêng Ban` → `phiengban`: folded, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def fold_filename(text: str) -> str:
    """`15/QĐ-UBND` → `15-QD-UBND`: a file name stem in ASCII letters, digits and dashes."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")
