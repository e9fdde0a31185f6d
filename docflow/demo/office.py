"""The demo's people at work: every step of the story is one call of the real services.

``Office`` names documents by a short story key and people by their demo username, so the
story reads as who does what; it never writes a row itself. The incoming copy of a document at
an agency is found the way its clerk would find it: by the document it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from docflow.demo.clock import StoryClock
from docflow.documents.services import (
    attachment_add,
    document_approve,
    document_create,
    document_return,
    document_submit,
    document_update,
)
from docflow.api.exchange.envelope import ExchangeEnvelopeSerializer
from docflow.exchange.inbound import InboundFile, inbound_document_receive
from docflow.exchange.models import ExchangeClient
from docflow.notifications.services import notifications_mark_read
from docflow.routing import handling
from docflow.routing.deliveries import document_recall_request
from docflow.routing.issuing import document_issue
from docflow.routing.models import IncomingDocument
from docflow.routing.replies import incoming_reply_draft
from docflow.tenancy.demo import demo_agencies
from docflow.tenancy.models import Membership
from docflow.core.scoping import agency_scope, cross_agency


class Office:
    def __init__(self, *, clock: StoryClock) -> None:
        self.clock = clock
        self.codes = {demo.slug: demo.code for demo in demo_agencies()}
        self.documents: dict[str, UUID] = {}  # story key → outgoing document id
        self.sources: dict[str, UUID] = {}  # story key → what incoming copies point to
        self._members: dict[str, Membership] = {}

    def member(self, username: str) -> Membership:
        if username not in self._members:
            with cross_agency("system"):
                self._members[username] = Membership.objects.select_related("agency", "user").get(
                    user__username=username, is_active=True
                )
        return self._members[username]

    def everyone_reads_notifications(self) -> None:
        with cross_agency("system"):
            members = list(Membership.objects.filter(agency__code__in=self.codes.values(), is_active=True))
        for member in members:
            with agency_scope(member.agency_id):
                notifications_mark_read(recipient_id=member.user_id)

    def code(self, recipient: str) -> str:
        """An agency code from a demo slug (``phiengban``) or a code as it is."""
        return recipient if "." in recipient else self.codes[recipient]

    # The drafting agency -------------------------------------------------------------------

    def draft(
        self, key: str, *, by: str, doc_type: str, subject: str, body: str,
        recipients: Iterable[str] = (), unit: str | None = None, urgency: str = "normal",
        external_places: Sequence[str] = (), due: int | None = None, replaces: str | None = None,
        attachments: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        actor = self.member(by)
        document = document_create(
            actor=actor, doc_type=doc_type, subject=subject, body=body, urgency=urgency,
            unit=unit, recipients=[self.code(r) for r in recipients],
            external_places=list(external_places),
            due_date=self.clock.workday(due) if due is not None else None,
            replaces=self.documents[replaces] if replaces else None,
        )
        for name, data in attachments:
            attachment_add(actor=actor, document_id=document.pk, name=name, chunks=[data])
        self.documents[key] = self.sources[key] = document.pk

    def reply(self, key: str, *, by: str, answers: str, doc_type: str, subject: str, body: str,
              attachments: Sequence[tuple[str, bytes]] = ()) -> None:
        """"Trả lời" on the copy of ``answers``: a draft to its sender, then written as ``key``."""
        actor = self.member(by)
        document = incoming_reply_draft(actor=actor, incoming_id=self.copy_id(answers, actor))
        document_update(actor=actor, document_id=document.pk,
                        changes={"doc_type": doc_type, "subject": subject, "body": body})
        for name, data in attachments:
            attachment_add(actor=actor, document_id=document.pk, name=name, chunks=[data])
        self.documents[key] = self.sources[key] = document.pk

    def submit(self, key: str, *, by: str) -> None:
        document_submit(actor=self.member(by), document_id=self.documents[key])

    def approve(self, key: str, *, by: str) -> None:
        document_approve(actor=self.member(by), document_id=self.documents[key])

    def send_back(self, key: str, *, by: str, comment: str) -> None:
        document_return(actor=self.member(by), document_id=self.documents[key], comment=comment)

    def issue(self, key: str, *, by: str) -> None:
        document_issue(actor=self.member(by), document_id=self.documents[key])

    def recall(self, key: str, *, by: str, reason: str) -> None:
        document_recall_request(actor=self.member(by), document_id=self.documents[key], reason=reason)

    # An agency outside Docflow -------------------------------------------------------------

    def receive_external(self, key: str, *, client: ExchangeClient, envelope: dict,
                         files: Sequence[tuple[str, bytes]] = ()) -> None:
        """What the exchange API does with a package: the same validation, the same service."""
        serializer = ExchangeEnvelopeSerializer(data={
            **envelope, "sender_code": client.external_agency.code,
            "recipients": [self.code(r) for r in envelope["recipients"]],
        })
        serializer.is_valid(raise_exception=True)
        receipt = inbound_document_receive(
            client=client, envelope=serializer.validated_data,
            files=[InboundFile(name=name, data=data) for name, data in files],
        )
        self.sources[key] = receipt.document.id

    # The recipient agencies ----------------------------------------------------------------

    def copy_id(self, key: str, member: Membership) -> UUID:
        with agency_scope(member.agency_id):
            return IncomingDocument.objects.values_list("id", flat=True).get(
                source_document_id=self.sources[key]
            )

    def _handle(self, service, key: str, by: str, **kwargs):
        member = self.member(by)
        return service(membership=member, incoming_id=self.copy_id(key, member), **kwargs)

    def accept(self, key: str, *, by: str) -> None:
        self._handle(handling.incoming_accept, key, by)

    def reject(self, key: str, *, by: str, reason: str) -> None:
        self._handle(handling.incoming_reject, key, by, reason=reason)

    def assign(self, key: str, *, by: str, lead: str, coordinators: Sequence[str] = (),
               informed: Sequence[str] = (), due: int | None = None, instruction: str = "") -> None:
        self._handle(
            handling.incoming_assign, key, by, lead=lead, coordinators=list(coordinators),
            informed=list(informed), instruction=instruction,
            due_date=self.clock.workday(due) if due is not None else None,
        )

    def progress(self, key: str, *, by: str, note: str) -> None:
        self._handle(handling.incoming_progress, key, by, note=note)

    def opinion(self, key: str, *, by: str, note: str) -> None:
        self._handle(handling.incoming_opinion, key, by, note=note)

    def complete(self, key: str, *, by: str, note: str, reply: str | None = None) -> None:
        self._handle(
            handling.incoming_complete, key, by, note=note,
            reply_outgoing_id=self.documents[reply] if reply else None,
        )

    def answer_recall(self, key: str, *, by: str, accept: bool, reason: str = "") -> None:
        self._handle(handling.incoming_recall_decide, key, by, accept=accept, reason=reason)
