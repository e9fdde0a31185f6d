"""Each document type in its own Decree 30 form (Appendix I), read back from the rendered PDF."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from docflow.rendering import render_official_document
from docflow.rendering.forms import FORMS, body_paragraphs, document_form, strip_subject_prefix
from docflow.rendering.official import MARGIN_LEFT, TEXT_WIDTH
from docflow.rendering.typeface import BOLD, ensure_fonts
from rendering_helpers import find_item, make_document, page_texts, reader, squash, text_fonts, text_items

AUTHORITY = "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN"
COMMUNES = ["Ủy ban nhân dân xã Phiêng Ban", "Ủy ban nhân dân xã Song Pe", "Ủy ban nhân dân thị trấn Bắc Yên"]


def cong_van(**changes):
    values = {"doc_type_code": "cong_van", "doc_type_name": "Công văn", "notation": "125/UBND-VP",
              "subject": "triển khai hệ thống quản lý văn bản", "addressees": COMMUNES,
              "recipients": ["Lưu: VT, VP"], "body": "Ủy ban nhân dân huyện đề nghị các xã triển khai."}
    return make_document(**{**values, **changes})


def first_page(doc):
    return reader(render_official_document(doc)).pages[0]


def lines_of(doc) -> list[str]:
    return [line.strip() for line in page_texts(render_official_document(doc))[0].splitlines()]


@pytest.mark.parametrize("typed", [
    "V/v triển khai", "v/v triển khai", "V/V triển khai", "V/v: triển khai", "V/vtriển khai",
    "Về việc triển khai", "về việc: triển khai", "Về việc  triển khai", "V/v V/v triển khai", "triển khai",
])
def test_cong_van_prints_its_subject_once_after_a_single_vv(typed):
    text = squash(page_texts(render_official_document(cong_van(subject=f"{typed} hệ thống")))[0])
    assert "V/v triển khai hệ thống" in text
    assert text.count("V/v") == 1
    assert "Về việc" not in text and "về việc" not in text


def test_a_decision_subject_typed_with_vv_prints_ve_viec_once():
    text = squash(page_texts(render_official_document(make_document(subject="V/v: thành lập tổ công tác")))[0])
    assert "Về việc thành lập tổ công tác" in text and "V/v" not in text
    assert strip_subject_prefix("Về việc:") == (True, "")  # a bare prefix is no subject: nothing printed
    assert "V/v" not in squash(page_texts(render_official_document(cong_van(subject="V/v")))[0])


def test_cong_van_names_several_addressees_under_kinh_gui_and_opens_noi_nhan_with_nhu_tren():
    page = first_page(cong_van())
    lines = [line.strip() for line in page.extract_text().splitlines()]
    start = lines.index("Kính gửi:")
    assert lines[start + 1:start + 4] == [
        "- Ủy ban nhân dân xã Phiêng Ban;", "- Ủy ban nhân dân xã Song Pe;", "- Ủy ban nhân dân thị trấn Bắc Yên.",
    ]
    recipients = lines[lines.index("Nơi nhận:") + 1:][:2]
    assert recipients == ["- Như trên;", "- Lưu: VT, VP."]
    # Kính gửi comes before the body, under the V/v; the dashes stand under its colon.
    _, label_x, label_y = find_item(page, "Kính gửi:")
    _, dash_x, _ = find_item(page, "- Ủy ban nhân dân xã Phiêng Ban;")
    _, _, vv_y = find_item(page, "V/v")
    _, _, body_y = find_item(page, "Ủy ban nhân dân huyện đề nghị")
    ensure_fonts()
    assert vv_y > label_y > body_y
    assert dash_x == pytest.approx(label_x + stringWidth("Kính gửi", "DocflowSerif", 14), abs=0.5)


def test_one_addressee_shares_the_kinh_gui_line_and_no_addressee_prints_no_kinh_gui():
    assert "Kính gửi: Sở Nội vụ tỉnh Sơn La." in lines_of(cong_van(addressees=["- Sở Nội vụ tỉnh Sơn La;"]))
    lines = lines_of(cong_van(addressees=[], recipients=["Sở Nội vụ", "Lưu: VT"]))
    assert not any(line.startswith("Kính gửi") for line in lines)
    assert lines[lines.index("Nơi nhận:") + 1] == "- Sở Nội vụ;"  # no "Như trên" without addressees


def decision(**changes):
    return make_document(issuing_authority=AUTHORITY, **changes)


def test_decision_names_its_authority_then_italic_bases_then_centred_quyet_dinh_then_bold_articles():
    page = first_page(decision())
    fonts = text_fonts(page)
    lines = [line.strip() for line in page.extract_text().splitlines()]
    # Order: title, subject, authority, bases, "QUYẾT ĐỊNH:", articles.
    order = ["QUYẾT ĐỊNH", "Về việc ban hành Quy chế công tác văn thư, lưu trữ", AUTHORITY,
             "Căn cứ Luật Tổ chức", "QUYẾT ĐỊNH:", "Điều 1."]
    positions = [next(i for i, line in enumerate(lines) if line.startswith(text)) for text in order]
    assert positions == sorted(positions)
    assert sum(1 for line in lines if line == "QUYẾT ĐỊNH:") == 1

    def font_of(start: str) -> str:
        return next(font for text, font in fonts if text.startswith(start))

    assert font_of("Căn cứ Luật") == "Italic"
    assert font_of("Căn cứ Nghị định") == "Italic"
    assert font_of("Xét đề nghị") == "Italic"
    assert font_of("QUYẾT ĐỊNH:") == "Bold"
    assert font_of(AUTHORITY) == "Bold"
    assert font_of("Điều 1.") == "Bold"
    assert font_of("Ban hành kèm theo") == "Regular"  # the article's text is upright
    for text in ("QUYẾT ĐỊNH:", AUTHORITY):
        item = find_item(page, text)
        centre = item[1] + stringWidth(item[0], BOLD, 14) / 2
        assert centre == pytest.approx(MARGIN_LEFT + TEXT_WIDTH / 2, abs=1)


def test_an_enacting_line_or_authority_typed_by_the_drafter_is_printed_once():
    body = f"{AUTHORITY}\nCăn cứ Luật Tổ chức chính quyền địa phương;\nQuyết định:\nĐiều 1. Thành lập tổ."
    lines = lines_of(decision(body=body))
    assert lines.count("QUYẾT ĐỊNH:") == 1 and "Quyết định:" not in lines
    assert lines.count(AUTHORITY) == 1


def test_a_decision_signed_for_the_collective_body_and_a_resolution():
    lines = lines_of(make_document(doc_type_code="nghi_quyet", doc_type_name="Nghị quyết",
                                   issuing_authority="ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN"))
    assert "NGHỊ QUYẾT" in lines and "ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN" in lines and "QUYẾT NGHỊ:" in lines


def test_italic_is_only_for_the_preamble_and_only_in_forms_with_legal_bases():
    body = "Căn cứ Luật A;\nĐiều 1. Thành lập tổ.\nCăn cứ kết quả, tổ báo cáo hằng tháng."
    fonts = text_fonts(first_page(decision(body=body)))
    assert next(f for t, f in fonts if t.startswith("Căn cứ kết quả")) == "Regular"
    report = make_document(doc_type_code="bao_cao", doc_type_name="Báo cáo", body="Căn cứ Kế hoạch số 12;")
    assert all(f != "Italic" for t, f in text_fonts(first_page(report)) if t.startswith("Căn cứ"))
    assert "QUYẾT ĐỊNH:" not in lines_of(report)


def test_submission_is_titled_and_addressed_to_its_superior():
    doc = make_document(doc_type_code="to_trinh", doc_type_name="Tờ trình", notation="03/TTr-UBND",
                        subject="Về việc phê duyệt kế hoạch", addressees=["Ủy ban nhân dân huyện Bắc Yên"],
                        recipients=["Lưu: VT"], body="I. SỰ CẦN THIẾT\nViệc chuyển đổi số là cấp bách.")
    page = first_page(doc)
    lines = [line.strip() for line in page.extract_text().splitlines()]
    assert lines.index("TỜ TRÌNH") < lines.index("Về việc phê duyệt kế hoạch") \
        < lines.index("Kính gửi: Ủy ban nhân dân huyện Bắc Yên.") < lines.index("I. SỰ CẦN THIẾT")
    assert lines[lines.index("Nơi nhận:") + 1] == "- Như trên;"
    fonts = dict(text_fonts(page))
    assert fonts["I. SỰ CẦN THIẾT"] == "Bold"
    assert fonts["Việc chuyển đổi số là cấp bách."] == "Regular"


@pytest.mark.parametrize(("code", "name"), [("ke_hoach", "Kế hoạch"), ("bao_cao", "Báo cáo")])
def test_plans_and_reports_print_title_subject_and_bold_part_headings(code, name):
    body = ("I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\nNâng cao hiệu quả điều hành.\n"
            "1. Các xã báo cáo kết quả trước ngày 15 tháng 3.\nII. TỔ CHỨC THỰC HIỆN")
    page = first_page(make_document(doc_type_code=code, doc_type_name=name, subject="Chuyển đổi số năm 2024",
                                    body=body, issuing_authority=AUTHORITY))
    lines = [line.strip() for line in page.extract_text().splitlines()]
    assert name.upper() in lines and "Chuyển đổi số năm 2024" in lines
    assert AUTHORITY not in lines and "QUYẾT ĐỊNH:" not in lines and not any(l.startswith("Kính gửi") for l in lines)
    fonts = dict(text_fonts(page))
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "II. TỔ CHỨC THỰC HIỆN"):
        assert fonts[heading] == "Bold", heading
    assert fonts["Nâng cao hiệu quả điều hành."] == "Regular"
    # A numbered sentence is a list item, not a heading.
    assert fonts["1. Các xã báo cáo kết quả trước ngày 15 tháng 3."] == "Regular"


def test_forms_are_one_table_and_every_other_type_gets_the_named_type_form():
    assert document_form("quyet_dinh") is FORMS["quyet_dinh"]
    assert document_form("thong_bao") == document_form("ke_hoach") == document_form("no_such_type")
    paragraphs = body_paragraphs("Điều 1. Phạm vi điều chỉnh\nĐiều 2. Quy định này áp dụng.",
                                 document_form("quyet_dinh"))
    assert [(p.kind, p.bold_label, p.bold_all) for p in paragraphs] == [
        ("enacting", "", False), ("text", "Điều 1.", True), ("text", "Điều 2.", False)]


def test_each_form_renders_deterministically():
    for doc in (decision(), cong_van(), make_document(doc_type_code="to_trinh", doc_type_name="Tờ trình",
                                                     addressees=COMMUNES[:1])):
        assert render_official_document(doc) == render_official_document(doc)
    assert render_official_document(cong_van()) != render_official_document(cong_van(addressees=COMMUNES[:2]))


def test_recipients_and_signature_stay_together_with_a_long_addressee_list():
    many = [f"Ủy ban nhân dân xã số {n}" for n in range(1, 21)]
    pdf = render_official_document(cong_van(addressees=many, body="\n".join(["Đề nghị các xã thực hiện."] * 25)))
    last = reader(pdf).pages[-1]
    texts = [t for t, _, _ in text_items(last)]
    assert "Nơi nhận:" in texts and any(t.startswith("Nguyễn Văn Anh") for t in texts)
