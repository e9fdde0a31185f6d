"""An agency keeping files: its people by role, and documents moved through the real services."""

from __future__ import annotations

import pytest

from docflow.core.scoping import cross_agency
from docflow.routing.handling import incoming_accept, incoming_assign, incoming_complete
from docflow.routing.models import IncomingDocument
from docflow.documents.attachments import attachment_add
from tests.documents.story import draft, issued, pdf_bytes, sending_office
from tests.factories import MembershipFactory


class Archive:
    """A district (clerk, leader, two staff, archivist, agency admin) and a province sending to it."""

    def __init__(self) -> None:
        self.office = sending_office(name="Ủy ban nhân dân huyện Bắc Yên", level="district")
        self.agency = self.office.agency
        self.clerk, self.leader = self.office.clerk, self.office.leader
        self.staff, self.staff2 = self.office.staff, self.office.staff2
        self.archivist = MembershipFactory(agency=self.agency, archivist=True, user__username=f"lt{self.agency.pk}",
                                           user__full_name="Đinh Thị Hoa")
        self.admin = MembershipFactory(agency=self.agency, admin=True, user__username=f"qt{self.agency.pk}")
        self.sender = sending_office(name="Sở Nội vụ tỉnh Sơn La", level="department", symbol="SNV")

    def received(self, subject: str = "Về việc rà soát hồ sơ cán bộ năm 2026") -> IncomingDocument:
        """A document the province issued to us, accepted and assigned to ``staff`` as lead."""
        document = draft(self.sender, doc_type="cong_van", subject=subject, recipients=[self.agency.code])
        attachment_add(actor=self.sender.staff, document_id=document.pk, name="phu-luc.pdf",
                       chunks=[pdf_bytes("Danh sach can bo")])
        outgoing = issued(self.sender, document)
        with cross_agency("system"):
            copy = IncomingDocument.objects.get(agency=self.agency, source_document_id=outgoing.pk)
        incoming_accept(membership=self.clerk, incoming_id=copy.pk)
        incoming_assign(membership=self.leader, incoming_id=copy.pk, lead=self.staff.user.username,
                        instruction="Đề nghị xử lý.")
        return copy

    def answered(self, copy: IncomingDocument, subject: str = "Về việc báo cáo rà soát hồ sơ cán bộ"):
        """Our reply issued to the province, and the copy completed with it."""
        reply = issued(self.office, doc_type="cong_van", subject=subject, recipients=[self.sender.agency.code])
        incoming_complete(membership=self.staff, incoming_id=copy.pk, note="Đã báo cáo.",
                          reply_outgoing_id=reply.pk)
        return reply


@pytest.fixture
def archive(db):
    return Archive()
