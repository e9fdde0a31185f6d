"""A text layer for scanned PDFs: Tesseract (language ``vie``) through its command line.

Each page is rasterised at 300 dpi (poppler's ``pdftoppm``), straightened (the skew found by
projection profiles) and cleaned of speckles, then read by ``tesseract`` into plain text and a
text-only PDF page, which is laid over the original page: the scan itself is never re-encoded.
A page that already carries text (a born-digital PDF) is kept as it is and its text read out.
OCRmyPDF drives the same two programs through pikepdf and Ghostscript; calling them directly
adds no dependency, and Tesseract's own time is most of a page (bench/bench_ocr.py).
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageFilter
from pypdf import PdfReader, PdfWriter, Transformation

from docflow.ocr.fields import ReadFields, fields_read

LANGUAGE = "vie"
DPI = 300
# Skew searched, in degrees either way, and the step; scans fed by hand lean a few degrees.
MAX_SKEW, SKEW_STEP = 5.0, 0.25
# A page with at least this many characters of text is taken as born-digital.
TEXT_PAGE_CHARS = 40
PAGE_TIMEOUT = 120  # seconds for one page, so a pathological scan cannot hold a worker


class OcrUnavailable(RuntimeError):
    """Tesseract or its Vietnamese language data is not installed."""


class OcrFailed(ValueError):
    """The file could not be read as a PDF."""


@dataclass(frozen=True)
class OcrResult:
    pdf: bytes  # the PDF with its text layer (the input itself when nothing was added)
    pages: list[str]  # each page's text
    fields: ReadFields = field(default_factory=ReadFields)
    text_layer_added: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


@functools.cache
def ocr_available() -> bool:
    """Whether ``tesseract`` with the Vietnamese data and ``pdftoppm`` are on this machine."""
    if not (shutil.which("tesseract") and shutil.which("pdftoppm")):
        return False
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                               timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return False
    return LANGUAGE in langs


def pdf_ocr(data: bytes) -> OcrResult:
    """The PDF with a text layer on every scanned page, each page's text, the first page's fields."""
    if not ocr_available():
        raise OcrUnavailable("tesseract-ocr and tesseract-ocr-vie are not installed")
    try:
        reader = PdfReader(io.BytesIO(data))
        existing = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise OcrFailed(str(exc)) from exc
    if not existing:
        raise OcrFailed("the PDF has no page")
    writer = PdfWriter(clone_from=reader)
    texts: list[str] = []
    added = False
    with tempfile.TemporaryDirectory(prefix="docflow-ocr-") as tmp:
        for index, page in enumerate(writer.pages):
            if len(existing[index].strip()) >= TEXT_PAGE_CHARS:
                texts.append(existing[index])
                continue
            image = _rasterise(data, index + 1, Path(tmp))
            text, layer = _recognise(image, Path(tmp) / f"p{index}")
            texts.append(text)
            _overlay(page, layer)
            added = True
        out = io.BytesIO()
        writer.write(out)
    return OcrResult(pdf=out.getvalue() if added else data, pages=texts,
                     fields=fields_read(texts[0]), text_layer_added=added)


def image_deskew(image: Image.Image) -> Image.Image:
    """The page turned upright (the same image when it already is)."""
    angle = skew_angle(image)
    if angle == 0.0:
        return image
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)


def skew_angle(image: Image.Image) -> float:
    """The turn (degrees) that makes the rows of ink sharpest: the projection profile's peak."""
    small = image.convert("L")
    small.thumbnail((800, 800))
    ink = small.point(lambda v: 255 if v < 140 else 0)
    best, best_score = 0.0, -1.0
    steps = int(MAX_SKEW / SKEW_STEP)
    for i in range(-steps, steps + 1):
        angle = i * SKEW_STEP
        turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
        rows = turned.resize((1, turned.height), Image.Resampling.BOX).tobytes()
        mean = sum(rows) / len(rows)
        score = sum((r - mean) ** 2 for r in rows)
        if score > best_score:
            best, best_score = angle, score
    return best


def _rasterise(data: bytes, page_number: int, tmp: Path) -> Image.Image:
    source = tmp / "in.pdf"
    if not source.exists():
        source.write_bytes(data)
    stem = tmp / f"page{page_number}"
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", "-f", str(page_number),
         "-l", str(page_number), str(source), str(stem)],
        check=True, capture_output=True, timeout=PAGE_TIMEOUT,
    )
    with Image.open(f"{stem}.png") as image:
        return image.convert("L")


def _recognise(image: Image.Image, stem: Path) -> tuple[str, bytes]:
    """Tesseract's text and its text-only PDF page for one cleaned page image."""
    clean = image_deskew(image).filter(ImageFilter.MedianFilter(3))
    png = stem.with_suffix(".png")
    clean.save(png, dpi=(DPI, DPI))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one page, one core: workers scale by process
    subprocess.run(
        ["tesseract", str(png), str(stem), "-l", LANGUAGE, "--dpi", str(DPI),
         "-c", "textonly_pdf=1", "txt", "pdf"],
        check=True, capture_output=True, timeout=PAGE_TIMEOUT, env=env,
    )
    return stem.with_suffix(".txt").read_text(encoding="utf-8"), stem.with_suffix(".pdf").read_bytes()


def _overlay(page, layer: bytes) -> None:
    """Lay the invisible text page, scaled, over the original page (of the writer)."""
    text_page = PdfReader(io.BytesIO(layer)).pages[0]
    box, text_box = page.mediabox, text_page.mediabox
    sx = float(box.width) / float(text_box.width)
    sy = float(box.height) / float(text_box.height)
    page.merge_transformed_page(
        text_page, Transformation().scale(sx, sy).translate(float(box.left), float(box.bottom))
    )
