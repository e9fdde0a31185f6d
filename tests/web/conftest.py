"""Web fixtures: signed-in browsers-as-clients, and documents moved through the real services."""

from __future__ import annotations

import pytest
from django.test import Client

from docflow.documents.services import document_approve, document_create, document_submit
from docflow.routing.issuing import document_issue
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory


def web_client(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def web_client_for():
    return web_client


class Office:
    """A district and its communes with a clerk, a leader and a staff member each."""

    def __init__(self, communes: int = 2) -> None:
        self.district = AgencyFactory(name="Ủy ban nhân dân huyện Bắc Yên", level="district")
        self.unit = UnitFactory(agency=self.district, symbol="VP", name="Văn phòng HĐND và UBND")
        self.clerk = MembershipFactory(agency=self.district, clerk=True, unit=self.unit,
                                       user__full_name="Nguyễn Thị Thu")
        self.leader = MembershipFactory(agency=self.district, leader=True, unit=self.unit,
                                        user__full_name="Lò Văn Minh")
        self.staff = MembershipFactory(agency=self.district, staff=True, unit=self.unit,
                                       user__full_name="Hà Thị Lan")
        self.communes = [
            AgencyFactory(name=f"Ủy ban nhân dân xã Phiêng Ban {i}", parent=self.district)
            for i in range(communes)
        ]
        self.commune_clerks = [MembershipFactory(agency=a, clerk=True) for a in self.communes]
        self.commune_leaders = [MembershipFactory(agency=a, leader=True) for a in self.communes]

    def draft(self, subject: str = "Về việc tổng kết công tác năm", recipients=None):
        return document_create(
            actor=self.staff, doc_type="cong_van", subject=subject, body="Kính gửi các xã.",
            unit="VP", signer=self.leader.user.username,
            recipients=[a.code for a in (self.communes if recipients is None else recipients)],
        )

    def issued(self, subject: str = "Về việc tổng kết công tác năm", recipients=None):
        document = self.draft(subject, recipients)
        document_submit(actor=self.staff, document_id=document.pk)
        document_approve(actor=self.leader, document_id=document.pk)
        return document_issue(actor=self.clerk, document_id=document.pk)


@pytest.fixture
def office(db):
    return Office()
