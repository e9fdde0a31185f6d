"""Incoming documents: the filtered list, the document page, and each handling step.

Every step posts to its own address, calls one service of ``routing.handling`` once (one-time
key) and comes back to the document page; a refused form is shown again on that page with the
service's messages beside its fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from docflow.core.errors import NotFound
from docflow.documents.files import stored_file_open
from docflow.routing import handling
from docflow.routing.models import IncomingDocument
from docflow.routing.replies import incoming_reply_draft
from docflow.routing.selectors import incoming_detail, incoming_list, incoming_senders
from docflow.routing.stamping import attachment_version, incoming_attachment_get
from docflow.web.forms.incoming import (
    AcceptForm,
    AssignForm,
    CompleteForm,
    ForwardForm,
    IncomingFilterForm,
    NoteForm,
    RecallDecisionForm,
    RejectForm,
)
from docflow.web.forms.outgoing import ConfirmForm
from docflow.web.incoming_actions import offered_actions
from docflow.tenancy.selectors import members_active
from docflow.web.pickers import reply_choices
from docflow.web.views.common import member_required, perform

PAGE_SIZE = 25


@member_required
def incoming_list_page(request: HttpRequest) -> HttpResponse:
    form = IncomingFilterForm(request.GET or None, senders=incoming_senders())
    documents = incoming_list(user_id=request.user.pk, **form.selector_kwargs())
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav": "incoming"}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "incoming-results":
        return render(request, "web/incoming/_results.html", context)
    return render(request, "web/incoming/list.html", context)


def _forms(incoming: IncomingDocument, actions: set[str], bound: dict) -> dict:
    """One form per offered step: the bound one that failed, blank ones for the rest."""
    people = members_active() if actions & {"assign", "forward"} else []
    makers = {
        "accept": lambda: AcceptForm(),
        "reject": lambda: RejectForm(prefix="reject"),
        "assign": lambda: AssignForm(prefix="assign", people=people, initial=_current_assignment(incoming)),
        "progress": lambda: NoteForm(prefix="progress"),
        "opinion": lambda: NoteForm(prefix="opinion"),
        "forward": lambda: ForwardForm(prefix="forward", people=people),
        "complete": lambda: _complete_form(incoming),
        "reply": lambda: ConfirmForm(prefix="reply"),
        "recall": lambda: RecallDecisionForm(prefix="recall"),
    }
    return {name: bound.get(name) or makers[name]() for name in actions}


def _complete_form(incoming: IncomingDocument) -> CompleteForm:
    """Completing offers the replies written to this copy first, the issued one chosen."""
    replies = reply_choices(incoming_id=incoming.pk)
    linked = [d for d in replies if d.reply_to_incoming_id == incoming.pk]
    return CompleteForm(prefix="complete", replies=replies,
                        initial={"reply_outgoing_id": str(linked[0].pk)} if linked else None)


def _current_assignment(incoming: IncomingDocument) -> dict:
    """A new assignment starts from the one in force (a leader changes it, not retypes it)."""
    active = [a for a in incoming.assignments.all() if a.is_active]
    by_role = {role: [a.user.username for a in active if a.role == role]
               for role in ("lead", "coordinator", "informed")}
    return {"due_date": incoming.due_date, "lead": (by_role["lead"] or [""])[0],
            "coordinators": by_role["coordinator"], "informed": by_role["informed"]}


# Decree 30, Art. 21: what fails the check goes back to the sender with this reason, in one step.
SIGNATURE_REJECT_REASON = "Chữ ký số không hợp lệ"


def signature_problem(incoming: IncomingDocument) -> bool:
    """A received PDF whose signature is broken or untrusted (not merely unchecked)."""
    for attachment in incoming.attachments.all():
        verification = getattr(attachment.file, "verification", None)
        if verification and any(not s["valid"] or s["trusted"] is False for s in verification.signatures):
            return True
    return False


def _page(request: HttpRequest, incoming: IncomingDocument, bound: dict | None = None, status: int = 200):
    actions = offered_actions(incoming=incoming, member=request.membership)
    return render(
        request,
        "web/incoming/detail.html",
        {"doc": incoming, "forms": _forms(incoming, actions, bound or {}), "nav": "incoming",
         "signature_problem": signature_problem(incoming), "signature_reason": SIGNATURE_REJECT_REASON},
        status=status,
    )


@member_required
def incoming_detail_page(request: HttpRequest, incoming_id) -> HttpResponse:
    return _page(request, incoming_detail(incoming_id=incoming_id))


@member_required
def incoming_file(request: HttpRequest, incoming_id, attachment_id) -> HttpResponse:
    """An attachment of the envelope; ``?ban=den`` gives the copy stamped on acceptance."""
    try:
        attachment = incoming_attachment_get(incoming_id=incoming_id, attachment_id=attachment_id)
    except NotFound:
        raise Http404 from None
    # The stamped copy while it is being made: the original meanwhile.
    version = (request.GET.get("ban") == "den" and attachment_version(attachment, stamped=True)) or (
        attachment_version(attachment, stamped=False))
    return FileResponse(
        stored_file_open(sha256=version.sha256), filename=version.name, as_attachment=False,
        content_type=version.content_type,
    )


def _step_view(step: str, form_class, call, done, extra=None):
    """A view for one handling step: the form ``step`` (also its prefix), the service ``call``,
    the message ``done`` when it worked; ``extra`` gives the form its choices."""

    @member_required
    @require_POST
    def view(request: HttpRequest, incoming_id) -> HttpResponse:
        incoming = incoming_detail(incoming_id=incoming_id)
        kwargs = extra(incoming) if extra else {}
        prefix = None if step == "accept" else step
        form = form_class(request.POST, prefix=prefix, **kwargs)
        url = reverse("web:incoming-detail", args=[incoming.pk])
        if form.is_valid():

            def act() -> str:
                call(request.membership, incoming.pk, form.cleaned_data)
                messages.success(request, done)
                return url

            response = perform(request, form, action=act, fallback=url)
            if response is not None:
                return response
        return _page(request, incoming, {step: form}, status=400)

    view.__name__ = f"incoming_{step}"
    return view


def _people(_incoming):
    return {"people": members_active()}


def _replies(incoming):
    return {"replies": reply_choices(incoming_id=incoming.pk)}


@member_required
@require_POST
def incoming_reply(request: HttpRequest, incoming_id) -> HttpResponse:
    """"Trả lời": a draft addressed to the sender, linked to this copy; then its edit page."""
    incoming = incoming_detail(incoming_id=incoming_id)
    form = ConfirmForm(request.POST, prefix="reply")
    if form.is_valid():

        def act() -> str:
            draft = incoming_reply_draft(actor=request.membership, incoming_id=incoming.pk)
            messages.success(request, _("Đã mở dự thảo trả lời; hoàn thiện nội dung rồi trình ký."))
            return reverse("web:outgoing-edit", args=[draft.pk])

        response = perform(request, form, action=act, fallback=reverse("web:incoming-detail", args=[incoming.pk]))
        if response is not None:
            return response
    return _page(request, incoming, {"reply": form}, status=400)


incoming_accept = _step_view(
    "accept", AcceptForm,
    lambda m, pk, d: handling.incoming_accept(membership=m, incoming_id=pk),
    _("Đã tiếp nhận và vào sổ văn bản đến."),
)
incoming_reject = _step_view(
    "reject", RejectForm,
    lambda m, pk, d: handling.incoming_reject(membership=m, incoming_id=pk, reason=d["reason"]),
    _("Đã từ chối và báo lại nơi gửi."),
)
incoming_assign = _step_view(
    "assign", AssignForm,
    lambda m, pk, d: handling.incoming_assign(
        membership=m, incoming_id=pk, lead=d["lead"], coordinators=d["coordinators"],
        informed=d["informed"], due_date=d["due_date"], instruction=d["instruction"],
    ),
    _("Đã phân công xử lý."), extra=_people,
)
incoming_progress = _step_view(
    "progress", NoteForm,
    lambda m, pk, d: handling.incoming_progress(membership=m, incoming_id=pk, note=d["note"]),
    _("Đã ghi báo cáo tiến độ."),
)
incoming_opinion = _step_view(
    "opinion", NoteForm,
    lambda m, pk, d: handling.incoming_opinion(membership=m, incoming_id=pk, note=d["note"]),
    _("Đã gửi ý kiến phối hợp."),
)
incoming_forward = _step_view(
    "forward", ForwardForm,
    lambda m, pk, d: handling.incoming_forward(membership=m, incoming_id=pk, to=d["to"], note=d["note"]),
    _("Đã chuyển xử lý."), extra=_people,
)
incoming_complete = _step_view(
    "complete", CompleteForm,
    lambda m, pk, d: handling.incoming_complete(
        membership=m, incoming_id=pk, note=d["note"], reply_outgoing_id=d["reply_outgoing_id"] or None,
    ),
    _("Đã hoàn thành xử lý."), extra=_replies,
)
incoming_recall = _step_view(
    "recall", RecallDecisionForm,
    lambda m, pk, d: handling.incoming_recall_decide(
        membership=m, incoming_id=pk, accept=d["accept"], reason=d["reason"],
    ),
    _("Đã trả lời yêu cầu thu hồi."),
)
