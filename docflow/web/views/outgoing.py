"""Outgoing documents: the list, composing and editing a draft, the document page with its
tracking, and the queues of leaders (to approve) and clerks (to issue)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from docflow.audit.selectors import events_for_object
from docflow.documents.files import stored_file_open
from docflow.documents.held_uploads import (
    HeldUpload,
    attachment_add_held,
    held_upload_read,
    upload_hold,
)
from docflow.documents.models import AUDIT_OBJECT, OutgoingDocument, OutgoingState
from docflow.documents.pdf import official_pdf_filename
from docflow.documents.selectors import (
    attachment_read, document_get, document_read, document_read_scope, documents_list,
)
from docflow.documents.services import attachment_add, document_create, document_update
from docflow.documents.signing.models import CredentialKind
from docflow.documents.signing.sign import credential_of
from docflow.documents.signing.verification import file_verification
from docflow.routing.deliveries import deliveries_of_document
from docflow.tenancy.selectors import agencies_with_codes, members_with_role, units_list
from docflow.web.forms.outgoing import (
    AttachForm,
    ConfirmForm,
    DraftForm,
    RecallForm,
    ReturnForm,
)
from docflow.web.outgoing_actions import offered_actions
from docflow.web.recipients import directory_search, expand_recipients, recipient_groups
from docflow.web.views.common import member_required, perform, role_required
from docflow.documents.selectors import approval_queue
from docflow.web.worklists import issue_queue

PAGE_SIZE = 25
STATE_CHOICES = OutgoingState.choices


@member_required
def outgoing_list_page(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("trang-thai", "")
    state = state if state in OutgoingState.values else ""
    page = Paginator(documents_list(state=state), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "web/outgoing/list.html", {
        "page": page, "state": state, "states": STATE_CHOICES, "nav": "outgoing",
        "query": f"trang-thai={state}" if state else "",
    })


@role_required("leader", "staff", "clerk")
def approvals_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/outgoing/queue.html", {
        "documents": approval_queue(member=request.membership), "nav": "approvals",
        "title": _("Văn bản chờ duyệt"), "empty": _("Không có văn bản nào chờ bạn duyệt."),
    })


@role_required("clerk")
def to_issue_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/outgoing/queue.html", {
        "documents": issue_queue(), "nav": "to-issue", "issue_links": True,
        "title": _("Văn bản chờ phát hành"), "empty": _("Không có văn bản nào chờ phát hành."),
    })


def _draft_form(request: HttpRequest, data=None, files=None, initial=None) -> DraftForm:
    own_unit = request.membership.unit
    return DraftForm(
        data, files, initial=initial or {"unit": own_unit.symbol if own_unit else ""},
        units=units_list(active_only=True),
        signers=list(members_with_role(agency=request.agency, role="leader")),
    )


def _compose_context(request: HttpRequest, form: DraftForm, document: OutgoingDocument | None) -> dict:
    kept = _hold_files(request) if form.is_bound else []
    chosen = form.data.getlist("recipients") if form.is_bound else (document.recipient_codes if document else [])
    groups = recipient_groups(agency=request.agency)
    grouped = {a.code for g in groups for a in g.agencies}
    others = [c for c in chosen if c not in grouped and not c.startswith("@")]
    return {
        "form": form, "doc": document, "groups": groups, "chosen": set(chosen),
        "other_agencies": agencies_with_codes(codes=others),
        "kept_files": kept,
        "nav": "compose" if document is None else "outgoing",
    }


def _save_files(request: HttpRequest, document: OutgoingDocument, files) -> None:
    """Attach each uploaded file and each one held from an earlier try; a refused file is
    named in a message, the draft stays."""
    for upload in files:
        _attach(request, upload.name, lambda u=upload: attachment_add(
            actor=request.membership, document_id=document.pk, name=u.name, chunks=u.chunks()))
    for token in request.POST.getlist("kept_files"):
        _attach(request, _("tệp đã chọn"), lambda t=token: attachment_add_held(
            actor=request.membership, document_id=document.pk, token=t))


def _attach(request: HttpRequest, name: str, add) -> None:
    try:
        add()
    except ValidationError as exc:
        messages.error(request, _("Tệp %(name)s không được nhận: %(why)s") % {
            "name": name, "why": " ".join(exc.messages)})


def _hold_files(request: HttpRequest) -> list[HeldUpload]:
    """The form goes back with errors: keep the files chosen so far (browsers cannot refill a
    file input), and name any that would be refused anyway."""
    kept = []
    for token in request.POST.getlist("kept_files"):
        try:
            kept.append(held_upload_read(actor=request.membership, token=token))
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
    for upload in request.FILES.getlist("files"):
        try:
            kept.append(upload_hold(actor=request.membership, name=upload.name, chunks=upload.chunks()))
        except ValidationError as exc:
            messages.error(request, _("Tệp %(name)s không được nhận: %(why)s") % {
                "name": upload.name, "why": " ".join(exc.messages)})
    return kept


@role_required("leader", "staff", "clerk")
def compose_page(request: HttpRequest) -> HttpResponse:
    form = _draft_form(request, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            document = document_create(
                actor=request.membership,
                **form.service_values(recipients=expand_recipients(form.cleaned_data["recipients"], agency=request.agency)),
            )
            _save_files(request, document, form.cleaned_data["files"])
            messages.success(request, _("Đã lưu dự thảo."))
            return reverse("web:outgoing-detail", args=[document.pk])

        response = perform(request, form, action=create, fallback=reverse("web:outgoing-compose"))
        if response is not None:
            return response
    return render(request, "web/outgoing/compose.html", _compose_context(request, form, None),
                  status=400 if form.is_bound else 200)


@member_required
def edit_page(request: HttpRequest, document_id) -> HttpResponse:
    document = document_get(document_id=document_id)
    url = reverse("web:outgoing-detail", args=[document.pk])
    if "edit" not in offered_actions(document=document, member=request.membership):
        messages.warning(request, _("Chỉ người soạn thảo được sửa, và chỉ khi văn bản còn là dự thảo."))
        return redirect(url)
    initial = {
        "doc_type": document.doc_type, "subject": document.subject, "body": document.body,
        "urgency": document.urgency, "secrecy": document.secrecy,
        "unit": document.unit.symbol if document.unit else "",
        "signer": document.signer.username if document.signer else "",
        "signer_authority": document.signer_authority,
        "external_places": "\n".join(document.external_places), "due_date": document.due_date,
    }
    form = _draft_form(request, request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def update() -> str:
            values = form.service_values(recipients=expand_recipients(form.cleaned_data["recipients"], agency=request.agency))
            document_update(actor=request.membership, document_id=document.pk, changes=values)
            _save_files(request, document, form.cleaned_data["files"])
            messages.success(request, _("Đã lưu dự thảo."))
            return url

        response = perform(request, form, action=update, fallback=url)
        if response is not None:
            return response
    return render(request, "web/outgoing/compose.html", _compose_context(request, form, document),
                  status=400 if form.is_bound else 200)


@member_required
def directory_results(request: HttpRequest) -> HttpResponse:
    """Agencies matching a search, as boxes to tick (htmx, inside the compose form)."""
    return render(request, "web/outgoing/_directory_results.html", {
        "agencies": directory_search(agency=request.agency, q=request.GET.get("tim", "")),
    })


def document_page(request: HttpRequest, document: OutgoingDocument, bound: dict | None = None, status: int = 200):
    actions = offered_actions(document=document, member=request.membership)
    blank = {
        "submit": ConfirmForm, "approve": ConfirmForm, "attach": AttachForm,
        "return": lambda: ReturnForm(prefix="return"), "recall": lambda: RecallForm(prefix="recall"),
        "delete": lambda: ConfirmForm(prefix="delete"),
    }
    forms = {name: (bound or {}).get(name) or blank[name]() for name in actions if name in blank}
    deliveries = list(deliveries_of_document(document_id=document.pk)) if document.state == OutgoingState.ISSUED else []
    signed_pdf = document.pdf_sha256 or document.approved_pdf_sha256
    return render(request, "web/outgoing/detail.html", {
        "doc": document, "actions": actions, "forms": forms, "deliveries": deliveries,
        "signed_pdf": signed_pdf,
        "verification": file_verification(sha256=signed_pdf),
        "signs_externally": "approve" in forms and _signs_externally(request.membership),
        "recipient_names": _recipient_names(document) if not deliveries else [],
        "history": list(events_for_object(object_type=AUDIT_OBJECT, object_id=document.pk)),
        "nav": "outgoing",
    }, status=status)


def _signs_externally(member) -> bool:
    credential = credential_of(agency_id=member.agency_id, user_id=member.user_id)
    return credential is not None and credential.kind == CredentialKind.EXTERNAL


def _recipient_names(document: OutgoingDocument) -> list[str]:
    names = {a.code: a.name for a in agencies_with_codes(codes=document.recipient_codes)}
    return [names.get(code, code) for code in document.recipient_codes]


@member_required
def detail_page(request: HttpRequest, document_id) -> HttpResponse:
    document = document_read(document_id=document_id)  # a predecessor's too, to read
    with document_read_scope(document=document):
        return document_page(request, document)


@member_required
def tracking_fragment(request: HttpRequest, document_id) -> HttpResponse:
    """The per-recipient table alone (htmx refreshes it while the page is open)."""
    document = document_read(document_id=document_id)
    with document_read_scope(document=document):
        return render(request, "web/outgoing/_tracking.html", {
            "doc": document, "deliveries": list(deliveries_of_document(document_id=document.pk)),
        })


@member_required
def file_download(request: HttpRequest, document_id, attachment_id) -> HttpResponse:
    attachment = attachment_read(document_id=document_id, attachment_id=attachment_id)
    return FileResponse(stored_file_open(sha256=attachment.file.sha256), filename=attachment.name,
                        content_type=attachment.content_type)


@member_required
def pdf_download(request: HttpRequest, document_id) -> HttpResponse:
    """The official PDF; while it is being made, a page that looks again in a few seconds."""
    document = document_read(document_id=document_id)
    if document.state != OutgoingState.ISSUED:
        messages.warning(request, _("Văn bản chưa phát hành nên chưa có bản PDF chính thức."))
        return redirect("web:outgoing-detail", document.pk)
    if not document.pdf_sha256:
        return render(request, "web/outgoing/pdf_pending.html", {"doc": document}, status=202)
    return FileResponse(stored_file_open(sha256=document.pdf_sha256), filename=official_pdf_filename(document),
                        content_type="application/pdf")
