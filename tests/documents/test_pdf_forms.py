"""The issued PDF follows its type's form: what the document row gives the renderer (Kính gửi,
the issuing authority, the recipients grouped only where that shortens the list)."""

from __future__ import annotations

import pytest

from docflow.documents.official_document import recipient_lines
from docflow.tenancy.models import AgencyLevel
from tests.documents.story import sending_office
from tests.documents.test_pdf import commune_office, issue_and_render, pdf_pages
from tests.factories import AgencyFactory
from tests.rendering.rendering_helpers import squash, text_fonts

pytestmark = pytest.mark.django_db


def page_lines(document) -> list[str]:
    return [line.strip() for line in pdf_pages(document)[0].extract_text().splitlines()]


def test_cong_van_addresses_its_recipients_under_kinh_gui_with_a_single_vv(django_capture_on_commit_callbacks):
    office = commune_office()
    songpe = AgencyFactory(name="Ủy ban nhân dân xã Song Pe")
    hangchu = AgencyFactory(name="Ủy ban nhân dân xã Hang Chú")
    document = issue_and_render(
        office, django_capture_on_commit_callbacks, doc_type="cong_van",
        subject="V/v: báo cáo kết quả chuyển đổi số", body="Đề nghị các xã báo cáo trước ngày 15.",
        recipients=[songpe.code, hangchu.code], external_places=["Đảng ủy xã"],
    )

    lines = page_lines(document)
    text = squash(" ".join(lines))
    assert "V/v báo cáo kết quả chuyển đổi số" in text and text.count("V/v") == 1
    start = lines.index("Kính gửi:")
    assert lines[start + 1:start + 4] == [
        "- Ủy ban nhân dân xã Song Pe;", "- Ủy ban nhân dân xã Hang Chú;", "- Đảng ủy xã.",
    ]
    assert lines.index("Kính gửi:") < lines.index("Đề nghị các xã báo cáo trước ngày 15.")
    assert lines[lines.index("Nơi nhận:") + 1:][:2] == ["- Như trên;", "- Lưu: VT, VP."]


@pytest.mark.parametrize(("authority", "expected"), [
    ("TM.", "ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN"),
    ("KT.", "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN"),
    ("", "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN"),
])
def test_decision_names_who_decides_from_the_signer_authority(authority, expected, django_capture_on_commit_callbacks):
    office = commune_office()
    body = "Căn cứ Luật Tổ chức chính quyền địa phương;\nĐiều 1. Thành lập tổ công tác."
    document = issue_and_render(office, django_capture_on_commit_callbacks, body=body, signer_authority=authority,
                                signer_position="Phó Chủ tịch" if authority == "KT." else "Chủ tịch")

    lines = page_lines(document)
    assert expected in lines
    assert lines.index(expected) < lines.index("QUYẾT ĐỊNH:") < lines.index("Điều 1. Thành lập tổ công tác.")
    fonts = dict(text_fonts(pdf_pages(document)[0]))
    assert fonts["Căn cứ Luật Tổ chức chính quyền địa phương;"] == "Italic"


def test_a_department_decision_is_its_director_s(django_capture_on_commit_callbacks):
    office = sending_office(AgencyFactory(name="Sở Nội vụ", symbol="SNV", level=AgencyLevel.DEPARTMENT))
    document = issue_and_render(office, django_capture_on_commit_callbacks, signer_authority="KT.",
                                signer_position="Phó Giám đốc")
    assert "GIÁM ĐỐC SỞ NỘI VỤ" in page_lines(document)


def test_recipients_are_grouped_largest_level_first_and_never_as_a_group_of_one():
    communes = [AgencyFactory.build(name=f"UBND xã {n}", level=AgencyLevel.COMMUNE) for n in range(12)]
    departments = [AgencyFactory.build(name=f"Sở {n}", level=AgencyLevel.DEPARTMENT) for n in range(4)]
    district = AgencyFactory.build(name="UBND huyện Mường La", level=AgencyLevel.DISTRICT)
    everyone = [*communes, *departments, district]

    assert recipient_lines(everyone, [], max_lines=20) == [a.name for a in everyone]
    # Past the limit the communes alone are grouped: that is enough, the rest keep their names.
    assert recipient_lines(everyone, [], max_lines=10) == [
        "UBND các xã, phường, thị trấn (12 cơ quan)", *[a.name for a in departments], district.name]
    # Tighter still: the departments too, but a level of one agency is never "(1 cơ quan)".
    assert recipient_lines(everyone, [], max_lines=2) == [
        "UBND các xã, phường, thị trấn (12 cơ quan)", "Các sở, ban, ngành (4 cơ quan)", district.name]
