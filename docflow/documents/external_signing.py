"""The final approval signed outside the server (a USB token through the signing app on the
leader's computer, or a remote signing service): prepare hands out the digest, submit embeds
the CMS signature that comes back and completes the approval.

The prepared PDF and the place of its signature are kept in a ``SigningRequest`` that expires
(``DOCFLOW_SIGNING_REQUEST_SECONDS``); a stale request, one of another document or person, or
a signature that does not verify with the leader's certificate over that digest is refused
with 400 and changes nothing.
"""

from __future__ import annotations

import datetime
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from docflow.audit.services import event_record
from docflow.core.errors import InvalidState
from docflow.core.services import service
from docflow.documents.approval import (
    approval_complete,
    approver_fill,
    document_for_approval,
    pending_step_of,
)
from docflow.documents.files import stored_file_open, stored_file_put_bytes
from docflow.documents.models import AUDIT_OBJECT, OutgoingDocument
from docflow.documents.signatures import PDF, approved_pdf_prepare
from docflow.documents.signing import pades
from docflow.documents.signing.credentials import certificate_of
from docflow.documents.signing.models import (
    CredentialKind,
    SigningRequest,
    SigningRequestState,
)
from docflow.documents.signing.sign import credential_of, image_bytes
from docflow.documents.signing.validation import signed_with
from docflow.notifications.services import notifications_done
from docflow.tenancy.models import Membership


def _last_step(actor: Membership, document_id) -> tuple[OutgoingDocument, dict]:
    document = document_for_approval(document_id)
    step, last = pending_step_of(actor, document)
    if not last:
        raise InvalidState(_("Chỉ bước duyệt cuối (người ký) mới ký số."), state=document.state)
    return document, step


def _external_credential(actor: Membership):
    credential = credential_of(agency_id=actor.agency_id, user_id=actor.user_id)
    if credential is None or credential.kind != CredentialKind.EXTERNAL or not credential.certificate_der:
        raise ValidationError({"signature": [_(
            "Bạn chưa được cấp chứng thư ký ngoài (USB token, ký từ xa): dùng nút Ký duyệt."
        )]})
    return credential


@service
def approval_signing_prepare(*, actor: Membership, document_id: UUID | str) -> SigningRequest:
    """Prepare the final approver's signature: the PDF with its signature field and room for the
    CMS, stored, and the digest (SHA-256 over the byte range) the signer must sign."""
    document, _step = _last_step(actor, document_id)
    credential = _external_credential(actor)
    now = timezone.now()
    approver_fill(document, actor)  # printed as signed by the approver (not saved here)
    try:
        prepared = pades.prepare_approved_external(
            approved_pdf_prepare(document), certificate=certificate_of(credential), when=now,
            appearance=pades.Appearance(label=actor.user.get_full_name(), image_png=image_bytes(credential)),
        )
    except (pades.SigningError, ValueError) as exc:
        raise ValidationError({"signature": [_("Không chuẩn bị được tệp ký: %(e)s") % {"e": exc}]}) from None
    request = SigningRequest.objects.create(
        agency_id=actor.agency_id, user_id=actor.user_id, document_id=document.pk,
        prepared=stored_file_put_bytes(data=prepared.pdf, content_type=PDF), digest=prepared.digest,
        md_algorithm=prepared.md_algorithm, reserved_start=prepared.start, reserved_end=prepared.end,
        expires_at=now + datetime.timedelta(seconds=settings.DOCFLOW_SIGNING_REQUEST_SECONDS),
    )
    event_record(agency_id=actor.agency_id, action="outgoing.signing_prepared", object_type=AUDIT_OBJECT,
                 object_id=document.pk, data={"request_id": str(request.pk)})
    return request


def _request_checked(actor: Membership, document: OutgoingDocument, request_id) -> SigningRequest:
    request = (
        SigningRequest.objects.select_for_update()
        .filter(pk=request_id, document_id=document.pk, user_id=actor.user_id,
                state=SigningRequestState.PENDING).first()
    )
    if request is None:
        raise ValidationError({"request_id": [_("Không có yêu cầu ký này cho văn bản (hoặc đã dùng).")]})
    if request.expires_at <= timezone.now():
        raise ValidationError({"request_id": [_("Yêu cầu ký đã hết hạn: chuẩn bị ký lại.")]})
    return request


@service
def approval_signing_submit(*, actor: Membership, document_id: UUID | str, request_id: UUID,
                            cms: bytes) -> OutgoingDocument:
    """Embed the CMS signature into the prepared PDF and complete the approval."""
    document, step = _last_step(actor, document_id)
    credential = _external_credential(actor)
    request = _request_checked(actor, document, request_id)
    with stored_file_open(sha256=request.prepared_id) as fh:
        prepared = pades.Prepared(pdf=fh.read(), digest=bytes(request.digest), start=request.reserved_start,
                                  end=request.reserved_end, md_algorithm=request.md_algorithm)
    try:
        signed = pades.finish_external(prepared, cms)
    except pades.SigningError as exc:
        raise ValidationError({"cms": [_("Chữ ký không dùng được: %(e)s") % {"e": exc}]}) from None
    if not signed_with(signed, certificate_der=bytes(credential.certificate_der)):
        raise ValidationError({"cms": [_(
            "Chữ ký không khớp: không ký trên mã băm đã cấp bằng chứng thư của bạn."
        )]})
    request.state = SigningRequestState.DONE
    request.save(update_fields=["state"])
    notifications_done(agency_id=document.agency_id, object_type=AUDIT_OBJECT, object_id=document.pk,
                       kinds=("outgoing.to_approve",))
    before = document.state
    approver_fill(document, actor)
    return approval_complete(actor=actor, document=document, step=step, before=before,
                             approved_pdf_sha256=stored_file_put_bytes(data=signed, content_type=PDF).sha256)
