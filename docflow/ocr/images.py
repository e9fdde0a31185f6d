"""Scanned images (JPEG, PNG, TIFF; several, in order) made into one PDF without re-encoding."""

from __future__ import annotations

import io
from collections.abc import Sequence

import img2pdf
from PIL import Image

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
IMAGE_TYPES = (JPEG, PNG, TIFF)
SCAN_TYPES = (PDF, *IMAGE_TYPES)
# A4 at 300 dpi when an image says nothing about its resolution.
DEFAULT_DPI = 300


class ImageError(ValueError):
    """The bytes are not an image that can become a PDF page."""


def scan_type_detect(head: bytes) -> str | None:
    """PDF, JPEG, PNG or TIFF from the first bytes of a file; None for anything else."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    return None


def images_to_pdf(images: Sequence[bytes]) -> bytes:
    """One PDF page per image (every frame of a multi-page TIFF), in the order given."""
    if not images:
        raise ImageError("no image")
    layout = img2pdf.get_fixed_dpi_layout_fun((DEFAULT_DPI, DEFAULT_DPI))
    pages: list[bytes] = []
    for data in images:
        pages += _pdf_ready(data)
    try:
        return img2pdf.convert(pages, layout_fun=_dpi_or_default(layout))
    except Exception as exc:  # img2pdf raises several kinds for damaged images
        raise ImageError(str(exc)) from exc


def _dpi_or_default(fixed):
    """img2pdf's default layout, but an image without a resolution is taken at 300 dpi."""
    default = img2pdf.default_layout_fun

    def layout(imgwidthpx, imgheightpx, ndpi):
        if ndpi in ((0, 0), (1, 1), (72, 72), (96, 96)):
            return fixed(imgwidthpx, imgheightpx, ndpi)
        return default(imgwidthpx, imgheightpx, ndpi)

    return layout


def _pdf_ready(data: bytes) -> list[bytes]:
    """The image as img2pdf takes it: JPEG and plain PNG as they are; PNG with transparency,
    and TIFF frames, as lossless PNG (img2pdf refuses alpha channels)."""
    kind = scan_type_detect(data[:8])
    if kind == JPEG:
        return [data]
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        raise ImageError(str(exc)) from exc
    if kind == PNG and image.mode in ("1", "L", "RGB", "P") and "transparency" not in image.info:
        return [data]
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frame = image.convert("RGB") if image.mode not in ("1", "L", "RGB") else image.copy()
        out = io.BytesIO()
        dpi = image.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI)
        frame.save(out, format="PNG", dpi=tuple(int(round(float(d))) for d in dpi))
        frames.append(out.getvalue())
    return frames
