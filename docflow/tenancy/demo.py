"""The demo data set: Sơn La province, Bắc Yên and Phù Yên districts and their communes.

This module holds the agencies, units and people; the weeks of work done by them are in
``docflow.demo`` (which may import every domain package; tenancy never imports it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from docflow.core.services import service_transaction
from docflow.core.text import slugify_vi
from docflow.tenancy.models import Agency, User
from docflow.tenancy.services import agency_upsert, member_upsert, unit_upsert

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
class DemoPerson:
    suffix: str  # the username is <agency slug>_<suffix>
    roles: tuple[str, ...]
    position: str
    full_name: str
    unit: str | None  # unit symbol
    levels: tuple[str, ...] = ("province", "district", "commune")


DEMO_PEOPLE = (
    *(
        DemoPerson(role, (role,), position, name, "VP" if role in ("staff", "clerk") else None)
        for role, (position, name) in ROLE_PEOPLE.items()
    ),
    DemoPerson("admin", ("agency_admin",), "Quản trị đơn vị", "Trần Văn Hải", "VP"),
    # Districts have a second specialist, so incoming work has a co-ordinator besides its lead.
    DemoPerson("staff2", ("staff",), "Chuyên viên", "Đinh Văn Hùng", "TCKH", levels=("district",)),
)
ROLE_WORDS = {"clerk": "văn thư", "leader": "lãnh đạo", "staff": "chuyên viên", "agency_admin": "quản trị đơn vị"}
SUPERUSER = "admin"


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


def demo_people(demo: DemoAgency) -> list[DemoPerson]:
    """The demo people of one agency, with their username suffixes."""
    return [p for p in DEMO_PEOPLE if demo.level in p.levels]


def demo_people_seed(*, password: str) -> dict[str, Agency]:
    """Create or bring up to date every demo agency, its units and people (one password) and
    the system administrator; returns the agencies by code. Running it twice changes nothing."""
    # One hash for all demo users: hashing a hundred passwords one by one takes most of a minute.
    password_hash = make_password(password)
    agencies: dict[str, Agency] = {}
    with service_transaction():
        for demo in demo_agencies():
            agency, _ = agency_upsert(
                code=demo.code, name=demo.name, level=demo.level, short_name=demo.short_name,
                parent=agencies.get(demo.parent_code), place=demo.place,
            )
            agencies[demo.code] = agency
            units = {sym: unit_upsert(agency=agency, symbol=sym, name=n)[0] for sym, n in demo.units}
            for person in demo_people(demo):
                member_upsert(
                    agency=agency, username=f"{demo.slug}_{person.suffix}", full_name=person.full_name,
                    actor=None, password_hash=password_hash, roles=list(person.roles),
                    position=person.position, unit=units[person.unit] if person.unit else None,
                    email=f"{demo.slug}_{person.suffix}@demo.docflow.local",
                )
        if not User.objects.filter(username=SUPERUSER).exists():
            User.objects.create_superuser(SUPERUSER, "admin@demo.docflow.local", password,
                                          full_name="Quản trị hệ thống")
    return agencies
