"""Generated oversight data: a province with districts and communes below it, each with copies
(electronic and paper, on time, late, overdue) and issued documents (electronic and paper,
signed and not), and the same figures counted by hand one row at a time."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from docflow.routing.models import HANDLING_STATUSES
from docflow.tenancy.models import AgencyLevel
from tests.factories import AgencyFactory, OutgoingDocumentFactory
from tests.routing.factories import IncomingDocumentFactory
from tests.statistics.generated import STATUSES, local

MARCH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 4, 10)
MEDIA = ["electronic", "electronic", "electronic", "paper", "email", "hand"]


@dataclass(frozen=True)
class Copy:
    arrived: dt.datetime
    status: str
    due: dt.date | None
    completed: dt.datetime | None
    medium: str


@dataclass(frozen=True)
class Issued:
    at: dt.datetime
    paper_places: tuple[str, ...]
    signed: bool


@dataclass
class Tree:
    province: object
    districts: list
    communes: dict  # district id -> its communes
    facts: dict  # agency id -> (copies, issued)

    @property
    def below_province(self) -> list:
        return [*self.districts, *(c for cs in self.communes.values() for c in cs)]


def random_copies(rng: random.Random, count: int) -> list[Copy]:
    edges = [  # the month's edges, and overdue copies due in March and in April
        Copy(local(MARCH, 0, 5), "01", None, None, "electronic"),
        Copy(local(dt.date(2026, 2, 28), 23, 55), "01", None, None, "paper"),
        Copy(local(dt.date(2026, 3, 2)), "06", dt.date(2026, 3, 10), local(dt.date(2026, 3, 10), 23, 30), "paper"),
        Copy(local(dt.date(2026, 3, 2)), "06", dt.date(2026, 3, 10), local(dt.date(2026, 3, 11), 0, 30), "electronic"),
        Copy(local(dt.date(2026, 3, 3)), "05", dt.date(2026, 3, 20), None, "electronic"),
        Copy(local(dt.date(2026, 3, 3)), "04", dt.date(2026, 4, 2), None, "fax"),
    ]
    copies = list(edges)
    for _ in range(count):
        arrived = local(MARCH - dt.timedelta(days=30)) + dt.timedelta(minutes=rng.randrange(0, 75 * 1440))
        status = rng.choice(["06"] * 4 + STATUSES)
        due = arrived.date() + dt.timedelta(days=rng.randrange(-3, 25)) if status in ("04", "05", "06") else None
        completed = arrived + dt.timedelta(minutes=rng.randrange(60, 25 * 1440)) if status == "06" else None
        copies.append(Copy(arrived, status, due, completed, rng.choice(MEDIA)))
    return copies


def random_issued(rng: random.Random, count: int) -> list[Issued]:
    issued = [Issued(local(MARCH, 0, 1), (), True), Issued(local(dt.date(2026, 3, 31), 23, 59), ("Bưu điện",), False)]
    for _ in range(count):
        at = local(MARCH - dt.timedelta(days=20)) + dt.timedelta(minutes=rng.randrange(0, 60 * 1440))
        paper = ("Lưu: VT",) if rng.random() < 0.3 else ()
        issued.append(Issued(at, paper, rng.random() < 0.6))
    return issued


def fill(agency, rng: random.Random, *, copies: int = 12, issued: int = 5) -> tuple[list[Copy], list[Issued]]:
    made_copies, made_issued = random_copies(rng, copies), random_issued(rng, issued)
    for c in made_copies:
        IncomingDocumentFactory(agency=agency, delivered_at=c.arrived, status_code=c.status, due_date=c.due,
                                completed_at=c.completed, medium=c.medium)
    for i in made_issued:
        OutgoingDocumentFactory(agency=agency, state="issued", issued_at=i.at, external_places=list(i.paper_places),
                                recipient_codes=["000.00.00.G01"],
                                approved_pdf_sha256="a" * 64 if i.signed else "")
    return made_copies, made_issued


def build_tree(seed: int = 7, *, districts: int = 2, communes: int = 2, copies: int = 12) -> Tree:
    """A province, ``districts`` districts below it and ``communes`` communes below each."""
    rng = random.Random(seed)
    province = AgencyFactory(level=AgencyLevel.PROVINCE, name="Ủy ban nhân dân tỉnh Thử Nghiệm")
    tree = Tree(province=province, districts=[], communes={}, facts={})
    for d in range(districts):
        district = AgencyFactory(level=AgencyLevel.DISTRICT, parent=province, name=f"Ủy ban nhân dân huyện {d}")
        tree.districts.append(district)
        tree.facts[district.id] = fill(district, rng, copies=copies)
        tree.communes[district.id] = []
        for _ in range(communes):
            commune = AgencyFactory(parent=district)
            tree.communes[district.id].append(commune)
            tree.facts[commune.id] = fill(commune, rng, copies=copies)
    return tree


def hand_count(copies: list[Copy], issued: list[Issued], *, month: dt.date = MARCH, today: dt.date = TODAY) -> dict:
    def in_month(moment) -> bool:
        if moment is None:
            return False
        day = timezone.localdate(moment) if isinstance(moment, dt.datetime) else moment
        return (day.year, day.month) == (month.year, month.month)

    arrived = [c for c in copies if in_month(c.arrived)]
    done = [c for c in copies if in_month(c.completed)]
    on_time = [c for c in done if c.due is None or timezone.localdate(c.completed) <= c.due]
    durations = [(c.completed - c.arrived).total_seconds() for c in done]
    sent = [i for i in issued if in_month(i.at)]
    overdue_open = sum(1 for c in copies if c.status in HANDLING_STATUSES and c.due and c.due < today
                       and in_month(c.due))
    electronic = sum(1 for c in arrived if c.medium == "electronic") + sum(1 for i in sent if not i.paper_places)
    return {
        "received": len(arrived),
        "issued": len(sent),
        "on_time": len(on_time),
        "overdue": len(done) - len(on_time) + overdue_open,
        "electronic_share": round(electronic / (len(arrived) + len(sent)), 4) if arrived or sent else None,
        "signed_share": round(sum(1 for i in sent if i.signed) / len(sent), 4) if sent else None,
        "mean_handling_days": round(sum(durations) / len(durations) / 86400, 2) if durations else None,
    }
