"""Benchmark: Vietnamese OCR pages per second per core, and field accuracy over generated scans.

Run from the repository root (needs tesseract-ocr and tesseract-ocr-vie):

    python bench/bench_ocr.py              # 60 scans, about 4 minutes on one core
    python bench/bench_ocr.py --count 12   # quicker

Each scan is one of our own official first pages (quyết định, công văn, kế hoạch, thông báo,
báo cáo, tờ trình, giấy mời; district, commune and department headers; varied numbers, dates
and subjects) rasterised by poppler, turned and speckled like a hand-fed scan, and read back
with ``docflow.ocr.engine.pdf_ocr`` in this one process (Tesseract limited to one thread, so
the rate is per core). Printed: per condition, pages/s and the exact-match rate of each field
(number, notation, date, issuing agency, type, subject). Not a test: nothing is asserted.
Target: ≥ 95 % exact on number/notation and date for clean 300 dpi scans.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import Stopwatch  # noqa: E402
from docflow.core.text import fold  # noqa: E402
from docflow.ocr.engine import ocr_available, pdf_ocr  # noqa: E402
from tests.ocr.scans import official, scan_pdf  # noqa: E402

TYPES = [("quyet_dinh", "Quyết định", "QĐ"), ("cong_van", "Công văn", ""), ("ke_hoach", "Kế hoạch", "KH"),
         ("thong_bao", "Thông báo", "TB"), ("bao_cao", "Báo cáo", "BC"), ("to_trinh", "Tờ trình", "TTr"),
         ("giay_moi", "Giấy mời", "GM")]
HEADERS = [("UBND TỈNH SƠN LA", "UBND HUYỆN BẮC YÊN", "UBND", "Bắc Yên"),
           ("UBND HUYỆN BẮC YÊN", "UBND XÃ PHIÊNG BAN", "UBND", "Phiêng Ban"),
           ("UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "SNV", "Sơn La"),
           ("UBND HUYỆN MAI SƠN", "UBND THỊ TRẤN HÁT LÓT", "UBND", "Hát Lót")]
SUBJECTS = ["Về việc ban hành Quy chế công tác văn thư, lưu trữ",
            "Triển khai chuyển đổi số năm 2026", "Kết quả thực hiện nhiệm vụ quý I năm 2026",
            "Đôn đốc nộp báo cáo thống kê đất đai", "Tổ chức hội nghị tổng kết công tác cải cách hành chính",
            "Phòng, chống thiên tai và tìm kiếm cứu nạn mùa mưa lũ", "Tăng cường công tác quản lý trật tự xây dựng"]
# (condition, dpi, angle range in degrees, share of speckled pixels)
CONDITIONS = [("sạch 300 dpi", 300, 0.0, 0.0), ("nghiêng ≤2° 300 dpi", 300, 2.0, 0.0),
              ("nhiễu 1% + nghiêng 300 dpi", 300, 2.0, 0.01), ("sạch 200 dpi", 200, 0.0, 0.0)]
FIELDS = ("number", "notation", "issued_on", "sender_name", "type_name", "subject")


def generated(count: int, seed: int = 30):
    """``count`` scans spread over the conditions: (condition, document, scan bytes)."""
    rng = random.Random(seed)
    for i in range(count):
        condition, dpi, max_angle, noise = CONDITIONS[i % len(CONDITIONS)]
        code, name, abbreviation = TYPES[i % len(TYPES)]
        parent, agency, symbol, place = HEADERS[(i // len(TYPES)) % len(HEADERS)]
        number = rng.choice([rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 999)])
        notation = f"{number:02d}/{abbreviation}-{symbol}" if abbreviation else f"{number:02d}/{symbol}-VP"
        doc = official(notation=notation, doc_type_code=code, doc_type_name=name,
                       subject=rng.choice(SUBJECTS), parent_agency_name=parent, agency_name=agency,
                       place=place, issued_on=datetime.date(2026, rng.randint(1, 12), rng.randint(1, 28)))
        angle = rng.uniform(-max_angle, max_angle) if max_angle else 0.0
        yield condition, doc, scan_pdf(doc, angle=angle, noise=noise, seed=i, dpi=dpi)


def expected(doc) -> dict[str, str]:
    return {"number": doc.notation.split("/")[0], "notation": doc.notation,
            "issued_on": doc.issued_on.isoformat(), "sender_name": doc.agency_name,
            "type_name": doc.doc_type_name, "subject": doc.subject}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60)
    args = parser.parse_args()
    if not ocr_available():
        sys.exit("tesseract-ocr and tesseract-ocr-vie are needed: apt-get install -y tesseract-ocr tesseract-ocr-vie")
    seconds: dict[str, float] = defaultdict(float)
    pages: dict[str, int] = defaultdict(int)
    exact: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses: list[str] = []
    for condition, doc, scan in generated(args.count):
        with Stopwatch() as watch:
            result = pdf_ocr(scan)
        seconds[condition] += watch.seconds
        pages[condition] += len(result.pages)
        read, want = result.fields.as_dict(), expected(doc)
        for name in FIELDS:
            same = fold(read[name]) == fold(want[name]) if name == "type_name" else read[name] == want[name]
            exact[condition][name] += same
            if not same and name in ("notation", "issued_on"):
                misses.append(f"{condition}: {name} read {read[name]!r}, printed {want[name]!r}")
    header = f"{'condition':28} {'scans':>5} {'pages/s':>8} " + " ".join(f"{f[:9]:>9}" for f in FIELDS)
    print(header)
    print("-" * len(header))
    for condition, *_ in CONDITIONS:
        n = pages[condition]
        if not n:
            continue
        rates = " ".join(f"{100 * exact[condition][f] / n:8.1f}%" for f in FIELDS)
        print(f"{condition:28} {n:5d} {n / seconds[condition]:8.2f} {rates}")
    total = sum(pages.values())
    print(f"\n{total} scans, {total / sum(seconds.values()):.2f} pages/s on one core (Tesseract, one thread)")
    for miss in misses[:20]:
        print("  miss", miss)


if __name__ == "__main__":
    main()
