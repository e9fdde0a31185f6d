"""Test scans made in the run: our own official PDFs rasterised, turned a few degrees, speckled.

Shared by tests/ocr, tests/routing, tests/api and bench/bench_ocr.py.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import random
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from docflow.ocr.images import images_to_pdf
from docflow.rendering.official import OfficialDocument, render_official_document

BODY = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;\n"
    "Ủy ban nhân dân yêu cầu các cơ quan, đơn vị triển khai thực hiện nghiêm túc./."
)


def official(**changes) -> OfficialDocument:
    """A quyết định of UBND huyện Bắc Yên; keyword arguments override fields."""
    base = OfficialDocument(
        parent_agency_name="UBND TỈNH SƠN LA", agency_name="UBND HUYỆN BẮC YÊN",
        notation="15/QĐ-UBND", place="Bắc Yên", issued_on=datetime.date(2026, 3, 5),
        doc_type_code="quyet_dinh", doc_type_name="Quyết định",
        subject="Về việc ban hành Quy chế công tác văn thư, lưu trữ", body=BODY,
        signer_authority="TM.", signer_authority_of="Ủy ban nhân dân",
        signer_position="Chủ tịch", signer_name="Nguyễn Văn Anh",
        recipients=["Như Điều 2", "Lưu: VT, VP"],
    )
    return dataclasses.replace(base, **changes)


def page_image(pdf: bytes, *, dpi: int = 300, page: int = 1) -> Image.Image:
    """One page of a PDF as a greyscale image, through poppler as a scanner would see it."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", str(page),
                        "-l", str(page), str(source), str(Path(tmp) / "out")], check=True)
        with Image.open(Path(tmp) / "out.png") as image:
            return image.convert("L")


def scanned(image: Image.Image, *, angle: float = 0.0, noise: float = 0.0, seed: int = 1) -> Image.Image:
    """The page fed crooked by ``angle`` degrees with ``noise`` (share of pixels) of speckle."""
    out = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255) if angle else image.copy()
    if noise:
        rng = random.Random(seed)
        pixels = out.load()
        width, height = out.size
        for _ in range(int(width * height * noise)):
            pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 90, 255))
    return out


def image_bytes(image: Image.Image, *, fmt: str = "PNG", dpi: int = 300) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, dpi=(dpi, dpi), **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()


def scan_pdf(doc: OfficialDocument | None = None, *, angle: float = 0.0, noise: float = 0.0,
             seed: int = 1, dpi: int = 300) -> bytes:
    """A scanned (image-only) PDF of the first page of ``doc``."""
    image = scanned(page_image(render_official_document(doc or official()), dpi=dpi),
                    angle=angle, noise=noise, seed=seed)
    return images_to_pdf([image_bytes(image, dpi=dpi)])


def require_ocr() -> None:
    """OCR tests fail, never skip, where Tesseract is missing: scripts/test.sh installs it."""
    import pytest

    from docflow.ocr.engine import ocr_available

    if not ocr_available():
        pytest.fail("tesseract-ocr with tesseract-ocr-vie is not installed (scripts/test.sh installs it)")
