"""Reading the envelope fields out of a first page's OCR text (no Tesseract needed)."""

from __future__ import annotations

from docflow.ocr.fields import fields_read

QUYET_DINH = """UBND TỈNH SƠN LA CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM

UBND HUYỆN BẮC YÊN Độc lập - Tự do - Hạnh phúc
Số: 05/QĐÐ-UBND Bắc Yên, ngày 03 tháng 5 năm 2018
QUYẾT ĐỊNH

Về việc ban hành Quy chế công tác văn thư, lưu trữ

Căn cứ Luật Tổ chức chính quyền địa phương;
"""

CONG_VAN = """UBND HUYỆN BẮC YÊN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
VĂN PHÒNG Độc lập - Tự do - Hạnh phúc
Số: 112/VP-TH Bắc Yên, ngày 28 tháng 12 năm 2025
V/v đôn đốc nộp báo cáo
thống kê năm 2025

Kính gửi: Các phòng, ban.
"""


def test_a_quyet_dinh_reads_every_field_and_mends_the_doubled_d():
    read = fields_read(QUYET_DINH)
    assert (read.number, read.notation, read.issued_on) == ("05", "05/QĐ-UBND", "2018-05-03")
    assert (read.place, read.sender_name, read.type_name) == ("Bắc Yên", "UBND HUYỆN BẮC YÊN", "QUYẾT ĐỊNH")
    assert read.subject == "Về việc ban hành Quy chế công tác văn thư, lưu trữ"


def test_a_cong_van_takes_its_subject_from_the_vv_lines():
    read = fields_read(CONG_VAN)
    assert (read.notation, read.issued_on, read.sender_name) == ("112/VP-TH", "2025-12-28", "VĂN PHÒNG")
    assert (read.type_name, read.subject) == ("Công văn", "đôn đốc nộp báo cáo thống kê năm 2025")


def test_what_cannot_be_read_is_left_empty_never_guessed():
    read = fields_read("Số: …/…\nngày 31 tháng 02 năm 2026\n\n~~~ ## ~~\n")
    assert read.as_dict() == {"number": "", "notation": "", "issued_on": "", "place": "",
                              "sender_name": "", "type_name": "", "subject": ""}


def test_an_impossible_date_is_not_read():
    assert fields_read("Hà Nội, ngày 31 tháng 2 năm 2026").issued_on == ""


def test_a_slash_the_scan_lost_is_put_back():
    read = fields_read("UBND XÃ PHIÊNG BAN Độc lập - Tự do - Hạnh phúc\nSố: 05UBND-VP Phiêng Ban, ngày 17 tháng 3 năm 2026\n")
    assert (read.number, read.notation, read.place) == ("05", "05/UBND-VP", "Phiêng Ban")
    assert read.sender_name == "UBND XÃ PHIÊNG BAN"
