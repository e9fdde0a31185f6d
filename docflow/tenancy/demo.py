"""The demo data set: Sơn La province, Bắc Yên and Phù Yên districts and their communes."""

from __future__ import annotations

from dataclasses import dataclass

from docflow.core.text import slugify_vi

PROVINCE = ("000.00.00.H52", "Tỉnh", "Sơn La")

# (code, level word, place name)
DISTRICTS = {
    ("000.00.31.H52", "Huyện", "Bắc Yên"): [
        ("000.01.31.H52", "Thị trấn", "Bắc Yên"),
        ("000.02.31.H52", "Xã", "Phiêng Ban"),
        ("000.03.31.H52", "Xã", "Song Pe"),
        ("000.04.31.H52", "Xã", "Hồng Ngài"),
        ("000.05.31.H52", "Xã", "Tà Xùa"),
        ("000.06.31.H52", "Xã", "Hang Chú"),
        ("000.07.31.H52", "Xã", "Xím Vàng"),
        ("000.08.31.H52", "Xã", "Làng Chếu"),
        ("000.09.31.H52", "Xã", "Chiềng Sại"),
        ("000.10.31.H52", "Xã", "Mường Khoa"),
        ("000.11.31.H52", "Xã", "Hua Nhàn"),
        ("000.12.31.H52", "Xã", "Tạ Khoa"),
        ("000.13.31.H52", "Xã", "Pắc Ngà"),
        ("000.14.31.H52", "Xã", "Chim Vàn"),
        ("000.15.31.H52", "Xã", "Phiêng Côn"),
        ("000.16.31.H52", "Xã", "Háng Đồng"),
    ],
    ("000.00.32.H52", "Huyện", "Phù Yên"): [
        ("000.01.32.H52", "Thị trấn", "Phù Yên"),
        ("000.02.32.H52", "Xã", "Quang Huy"),
        ("000.03.32.H52", "Xã", "Huy Bắc"),
        ("000.04.32.H52", "Xã", "Gia Phù"),
        ("000.05.32.H52", "Xã", "Tường Thượng"),
    ],
}

DISTRICT_UNITS = [
    ("VP", "Văn phòng HĐND và UBND"),
    ("NV", "Phòng Nội vụ"),
    ("TCKH", "Phòng Tài chính - Kế hoạch"),
]
PROVINCE_UNITS = [("VP", "Văn phòng UBND tỉnh"), ("NV", "Sở Nội vụ")]
COMMUNE_UNITS = [("VP", "Văn phòng - Thống kê")]

LEVELS = {"Tỉnh": "province", "Huyện": "district", "Xã": "commune", "Thị trấn": "commune"}

ROLE_PEOPLE = {
    "clerk": ("Văn thư", "Nguyễn Thị Thu"),
    "leader": ("Chủ tịch", "Lò Văn Minh"),
    "staff": ("Chuyên viên", "Hà Thị Lan"),
}


@dataclass(frozen=True)
class DemoAgency:
    code: str
    level_word: str
    place: str
    parent_code: str | None

    @property
    def level(self) -> str:
        return LEVELS[self.level_word]

    @property
    def slug(self) -> str:
        # The township keeps its level word (thitranbacyen); tỉnh, huyện and xã are dropped.
        return slugify_vi(self.place if self.level_word != "Thị trấn" else f"thị trấn {self.place}")

    @property
    def name(self) -> str:
        return f"Ủy ban nhân dân {self.level_word.lower()} {self.place}"

    @property
    def short_name(self) -> str:
        return f"UBND {self.level_word} {self.place}".upper()

    @property
    def units(self) -> list[tuple[str, str]]:
        return {"province": PROVINCE_UNITS, "district": DISTRICT_UNITS}.get(self.level, COMMUNE_UNITS)


def demo_agencies() -> list[DemoAgency]:
    """Every demo agency, parents before children."""
    province = DemoAgency(PROVINCE[0], PROVINCE[1], PROVINCE[2], None)
    result = [province]
    for (code, word, place), communes in DISTRICTS.items():
        result.append(DemoAgency(code, word, place, province.code))
        result.extend(DemoAgency(c, w, p, code) for c, w, p in communes)
    return result
