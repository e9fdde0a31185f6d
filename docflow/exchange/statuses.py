"""Statuses external recipients send us about documents our agencies issued to them."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from docflow.core.errors import InvalidState, NotFound
from docflow.core.services import service
from docflow.exchange.identifier import outgoing_by_identifier
from docflow.exchange.models import ExchangeClient
from docflow.routing.models import Delivery, Status
from docflow.routing.status import external_status_record

# What a recipient may report; 01 is ours (delivered), 13 is the sender's (recall request).
REPORTABLE = tuple(s for s in Status if s not in (Status.DELIVERED, Status.RECALL_REQUESTED))
RECALL_ANSWERS = (Status.RECALL_ACCEPTED, Status.RECALL_REFUSED)


@service(scope=None)
def delivery_status_receive(
    *, client: ExchangeClient, document_id: UUID, status_code: str, description: str = "",
    staff: str = "",
) -> Delivery:
    """Record an external recipient's status on our sender's Delivery row, all or nothing.

    Only deliveries addressed to the client's agency are found (404 otherwise). A recall answer
    (15, 16) needs a pending recall request, and a recalled document (15) takes no more
    statuses (409). The sender gets the audit event and notifications routing gives any status.
    """
    delivery = (
        Delivery.objects.cross_agency("status").select_for_update(of=("self",))
        .select_related("recipient_agency")
        .filter(document_id=document_id, recipient_agency_id=client.external_agency_id)
        .first()
    )
    if delivery is None:
        raise NotFound(_("Không tìm thấy văn bản gửi cơ quan này."))
    if status_code in RECALL_ANSWERS and delivery.status_code != Status.RECALL_REQUESTED:
        raise InvalidState(_("Văn bản không có yêu cầu thu hồi."), state=delivery.status_code)
    if delivery.status_code == Status.RECALL_ACCEPTED:
        raise InvalidState(_("Văn bản đã được thu hồi."), state=delivery.status_code)
    note = description.strip()
    if staff.strip():
        note = f"{note} ({staff.strip()})" if note else staff.strip()
    external_status_record(delivery=delivery, reported=status_code, note=note)
    return delivery


def sent_document_for(*, client: ExchangeClient, identifier: str) -> UUID:
    """Our document an axis identifier names, among those delivered to the client's agency.

    400 on ``ResponseFor/DocumentId`` otherwise: a status package about a document we did not
    send to that agency changes nothing."""
    document = outgoing_by_identifier(identifier)
    if document is None or not Delivery.objects.cross_agency("status").filter(
        document_id=document.pk, recipient_agency_id=client.external_agency_id
    ).exists():
        raise ValidationError({"ResponseFor/DocumentId": [
            _("Không có văn bản nào gửi cơ quan này với mã định danh %(id)s.") % {"id": identifier}
        ]})
    return document.pk
