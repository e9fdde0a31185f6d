"""A district that sends, and a commune that receives with its clerk, leader and staff."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from docflow.tenancy.models import AgencyLevel, Membership
from tests.factories import AgencyFactory, MembershipFactory
from tests.routing.factories import sent_copy


@dataclass
class Office:
    """One agency's people."""

    agency: object
    clerk: Membership
    leader: Membership
    staff: Membership
    staff2: Membership
    staff3: Membership


def office(agency) -> Office:
    return Office(
        agency=agency,
        clerk=MembershipFactory(agency=agency, clerk=True, user__username=f"vt{agency.pk}"),
        leader=MembershipFactory(agency=agency, leader=True, user__username=f"ld{agency.pk}"),
        staff=MembershipFactory(agency=agency, staff=True, user__username=f"cv{agency.pk}"),
        staff2=MembershipFactory(agency=agency, staff=True, user__username=f"cvb{agency.pk}"),
        staff3=MembershipFactory(agency=agency, staff=True, user__username=f"cvc{agency.pk}"),
    )


@pytest.fixture
def district(db):
    return AgencyFactory(name="Ủy ban nhân dân huyện Bắc Yên", level=AgencyLevel.DISTRICT)


@pytest.fixture
def commune(agency_a) -> Office:
    return office(agency_a)


@pytest.fixture
def other_commune(agency_b) -> Office:
    return office(agency_b)


@pytest.fixture
def copy_for(district):
    """A document the district issued to ``office``'s agency, arrived (01)."""

    def make(office: Office, **kwargs):
        return sent_copy(sender=district, recipient=office.agency, **kwargs)

    return make


@pytest.fixture
def tiny_pdf() -> bytes:
    """A one-page PDF drawn by reportlab (no text: what a scanner would make of a blank page)."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.rect(100, 100, 200, 200, fill=1)
    canvas.save()
    return out.getvalue()


@pytest.fixture
def png_page():
    """A small PNG page image; ``n`` sets its shade so pages can be told apart."""
    import io

    from PIL import Image

    def make(n: int) -> bytes:
        out = io.BytesIO()
        Image.new("L", (620, 877), 255 - 40 * n).save(out, format="PNG", dpi=(75, 75))
        return out.getvalue()

    return make
