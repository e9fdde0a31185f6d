"""Benchmark: official-document PDFs per second on one core, against a bare reportlab canvas.

Run from the repository root:

    python bench/bench_pdf.py              # about 6 s per document, 2 documents
    python bench/bench_pdf.py --seconds 1  # quicker

In one warm process it renders a one-page and a five-page quyết định with
``render_official_document`` (justified paragraphs broken into lines and paginated by
``docflow.rendering.pages``, the header and signature tables, four faces), and draws the same
text with plain ``canvas.drawString`` calls (lines wrapped once beforehand, outside the timing;
no justification; three faces, the "Nơi nhận:" head in bold italic left out) as the floor of what
reportlab can do. The two are called alternately,
one after the other, so a busy machine slows both alike; it prints docs/s from the median time
of each and the ratio. Whether reportlab's C speedups (``rl-accel``) are loaded is printed too.
Not a test: performance is measured here, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import io
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.lib.utils import simpleSplit  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from bench.harness import elapsed_ms, interleaved  # noqa: E402
from docflow.rendering.official import (  # noqa: E402
    MOTTO,
    NATIONAL_TITLE,
    OfficialDocument,
    format_vietnamese_date_line,
    render_official_document,
)
from docflow.rendering.typeface import BOLD, ITALIC, REGULAR, ensure_fonts  # noqa: E402

PARAGRAPH = (
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc đẩy mạnh ứng dụng công nghệ thông tin "
    "trong hoạt động của cơ quan nhà nước, Ủy ban nhân dân huyện yêu cầu các cơ quan, đơn vị, "
    "địa phương triển khai thực hiện nghiêm túc các nội dung sau đây, bảo đảm tiến độ và chất lượng."
)

BASE = OfficialDocument(
    parent_agency_name="UBND TỈNH SƠN LA",
    agency_name="UBND HUYỆN BẮC YÊN",
    notation="05/QĐ-UBND",
    place="Bắc Yên",
    issued_on=datetime.date(2018, 5, 3),
    doc_type_code="quyet_dinh",
    doc_type_name="Quyết định",
    subject="Về việc ban hành Quy chế công tác văn thư, lưu trữ của Ủy ban nhân dân huyện",
    body="",
    signer_authority="TM.",
    signer_authority_of="Ủy ban nhân dân",
    signer_position="Chủ tịch",
    signer_name="Nguyễn Văn Anh",
    recipients=("Như Điều 3", "TT Huyện ủy", "TT HĐND huyện", "Lưu: VT, VP"),
)


def document(paragraphs: int) -> OfficialDocument:
    body = "\n\n".join(f"{i}. {PARAGRAPH}" for i in range(1, paragraphs + 1))
    return dataclasses.replace(BASE, body=body)


def canvas_renderer(doc: OfficialDocument) -> Callable[[], bytes]:
    """Return a function drawing ``doc``'s text on a bare canvas, pre-wrapped like platypus."""
    width, height = A4
    left, right, top, bottom = 30 * mm, 15 * mm, 20 * mm, 20 * mm
    text_width = width - left - right
    lines: list[tuple[str, float, str]] = [
        (BOLD, 13, NATIONAL_TITLE), (BOLD, 14, MOTTO), (REGULAR, 13, doc.agency_name),
        (REGULAR, 13, f"Số: {doc.notation}"),
        (ITALIC, 14, format_vietnamese_date_line(doc.place, doc.issued_on)),
        (BOLD, 14, doc.doc_type_name.upper()), (BOLD, 14, doc.subject),
    ]
    for paragraph in doc.body.split("\n\n"):
        lines.extend((REGULAR, 14, line) for line in simpleSplit(paragraph, REGULAR, 14, text_width))
    lines.extend([(BOLD, 14, "TM. ỦY BAN NHÂN DÂN"), (BOLD, 14, "CHỦ TỊCH"), (BOLD, 14, doc.signer_name)])
    lines.extend((REGULAR, 11, f"- {r};") for r in doc.recipients)

    def render() -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4, invariant=1)
        y = height - top
        page = 1
        for font, size, text in lines:
            y -= size * 1.2
            if y < bottom:
                canvas.showPage()
                page += 1
                canvas.setFont(REGULAR, 13)
                canvas.drawCentredString(left + text_width / 2, height - top / 2, str(page))
                y = height - top - size * 1.2
            canvas.setFont(font, size)
            canvas.drawString(left, y, text)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    return render


def pages_of(render: Callable[[], bytes]) -> int:
    return len(PdfReader(io.BytesIO(render())).pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0,
                        help="time budget for each document, both renderers (default 6)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    ensure_fonts()

    cases = [("one-page", document(5)), ("five-page", document(42))]
    from reportlab.lib import rl_accel

    accel = "with" if "fp_str" in rl_accel._c_funcs else "without"
    print(f"Python {sys.version.split()[0]}, single core, alternating calls, {args.seconds:g} s per document, "
          f"{accel} reportlab's C speedups")
    print(f"{'document':<10} {'pages':>5} {'render docs/s':>16} {'canvas docs/s':>14} {'ratio':>7}")
    for name, doc in cases:
        render, canvas = (lambda doc=doc: render_official_document(doc)), canvas_renderer(doc)
        pages, canvas_pages = pages_of(render), pages_of(canvas)
        one_round = sum(elapsed_ms(f) for f in (render, canvas)) / 1000
        rounds = max(5, int(args.seconds / one_round))
        timings = interleaved({"render": render, "canvas": canvas}, rounds, warmup=2)
        render_rate, canvas_rate = (1000 / statistics.median(timings[k]) for k in ("render", "canvas"))
        ratio = canvas_rate / render_rate
        print(f"{name:<10} {pages:>5} {render_rate:>16.1f} {canvas_rate:>14.1f} {ratio:>6.2f}x"
              f"   (canvas version: {canvas_pages} pages, {rounds} calls each)")
    print("ratio = bare-canvas docs/s divided by render_official_document docs/s (median times)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
