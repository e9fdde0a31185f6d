"""A district and its communes with documents in several states, and every page of the web
interface with the person who opens it: what the accessibility and phone tests walk through."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from docflow.documents.services import document_approve, document_submit
from docflow.routing.handling import incoming_accept
from docflow.routing.models import IncomingDocument
from docflow.core.scoping import agency_scope
from tests.factories import MembershipFactory
from tests.web.conftest import Office


@dataclass(frozen=True)
class Visit:
    name: str
    who: str  # an attribute of Site naming the membership, or "" for nobody signed in
    path: str


class Site:
    def __init__(self) -> None:
        office = Office(communes=2)
        self.office = office
        self.staff, self.leader, self.clerk = office.staff, office.leader, office.clerk
        self.admin = MembershipFactory(agency=office.district, admin=True, user__full_name="Vì Văn Quản")
        self.commune_clerk, self.commune_leader = office.commune_clerks[0], office.commune_leaders[0]
        MembershipFactory(agency=office.communes[0], staff=True, user__full_name="Quàng Văn Sơn")
        self.issued = office.issued("Về việc tổng kết công tác văn thư, lưu trữ năm")
        approved = office.draft("Về việc kiểm tra công tác cải cách hành chính")
        document_submit(actor=self.staff, document_id=approved.pk)
        document_approve(actor=self.leader, document_id=approved.pk)
        self.approved = approved
        self.draft = office.draft("Về việc báo cáo tình hình phòng chống thiên tai")
        self.pending = office.draft("Về việc chuẩn bị Tết Nguyên đán")
        document_submit(actor=self.staff, document_id=self.pending.pk)
        commune = office.communes[0]
        with agency_scope(commune):
            copy = IncomingDocument.objects.get(source_document_id=self.issued.pk)
        incoming_accept(membership=self.commune_clerk, incoming_id=copy.pk)
        self.incoming = copy

    def visits(self) -> list[Visit]:
        detail = lambda name, pk: reverse(name, args=[pk])
        return [
            Visit("login", "", reverse("web:login")),
            Visit("dashboard", "staff", reverse("web:dashboard")),
            Visit("dashboard-leader", "leader", reverse("web:dashboard")),
            Visit("incoming-list", "commune_clerk", reverse("web:incoming-list")),
            Visit("incoming-detail-assign", "commune_leader", detail("web:incoming-detail", self.incoming.pk)),
            Visit("outgoing-list", "staff", reverse("web:outgoing-list")),
            Visit("outgoing-detail-tracking", "staff", detail("web:outgoing-detail", self.issued.pk)),
            Visit("outgoing-detail-approve", "leader", detail("web:outgoing-detail", self.pending.pk)),
            Visit("outgoing-detail-draft", "staff", detail("web:outgoing-detail", self.draft.pk)),
            Visit("outgoing-edit", "staff", detail("web:outgoing-edit", self.draft.pk)),
            Visit("compose", "staff", reverse("web:outgoing-compose")),
            Visit("approvals", "leader", reverse("web:outgoing-approvals")),
            Visit("to-issue", "clerk", reverse("web:outgoing-to-issue")),
            Visit("issue", "clerk", detail("web:outgoing-issue", self.approved.pk)),
            Visit("registers", "clerk", reverse("web:registers")),
            Visit("search", "staff", reverse("web:search") + "?q=tong+ket+van+thu"),
            Visit("statistics", "leader", reverse("web:statistics")),
            Visit("oversight", "leader", reverse("web:oversight")),
            Visit("notifications", "staff", reverse("web:notifications")),
            Visit("notification-preferences", "staff", reverse("web:notification-preferences")),
            Visit("admin-home", "admin", reverse("web:admin-home")),
            Visit("admin-member", "admin", reverse("web:admin-member-new")),
            Visit("admin-unit", "admin", reverse("web:admin-unit-new")),
            Visit("admin-approval-chain", "admin", reverse("web:admin-approval-chain")),
            Visit("admin-handling-days", "admin", reverse("web:admin-handling")),
            Visit("admin-axis", "admin", reverse("web:admin-axis")),
            Visit("password-change", "staff", reverse("web:password-change")),
            Visit("second-factor", "leader", reverse("web:second-factor")),
            Visit("offline", "", reverse("web:offline")),
        ]
