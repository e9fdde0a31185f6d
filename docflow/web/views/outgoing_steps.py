"""The steps of an outgoing document: submit, approve, return, attach, issue, recall.

Each posts to its own address and calls one service once (one-time key); a refused form is
shown again on the document page with the service's messages beside its fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from docflow.documents.selectors import document_get
from docflow.documents.services import document_approve, document_delete, document_return, document_submit
from docflow.routing.deliveries import document_recall_request
from docflow.routing.issuing import document_issue, issue_preview
from docflow.web.forms.outgoing import AttachForm, ConfirmForm, IssueForm, RecallForm, ReturnForm
from docflow.web.outgoing_actions import offered_actions
from docflow.web.views.common import member_required, perform
from docflow.web.views.outgoing import _save_files, document_page


def _step(name: str, form_class, call, done, prefix: str | None = None):
    """A view for one step: bind ``form_class``, run ``call(member, document, data)`` once."""

    @member_required
    @require_POST
    def view(request: HttpRequest, document_id) -> HttpResponse:
        document = document_get(document_id=document_id)
        form = form_class(request.POST, request.FILES, prefix=prefix)
        url = reverse("web:outgoing-detail", args=[document.pk])
        if form.is_valid():

            def act() -> str:
                call(request, document, form.cleaned_data)
                if done:
                    messages.success(request, done)
                return url

            response = perform(request, form, action=act, fallback=url,
                               field_map={"file": "files", "name": "files"})
            if response is not None:
                return response
        return document_page(request, document, {name: form}, status=400)

    view.__name__ = f"outgoing_{name}"
    return view


submit = _step(
    "submit", ConfirmForm,
    lambda r, d, data: document_submit(actor=r.membership, document_id=d.pk),
    gettext_lazy("Đã trình ký."),
)
approve = _step(
    "approve", ConfirmForm,
    lambda r, d, data: document_approve(actor=r.membership, document_id=d.pk),
    gettext_lazy("Đã duyệt."),
)
return_ = _step(
    "return", ReturnForm,
    lambda r, d, data: document_return(actor=r.membership, document_id=d.pk, comment=data["comment"]),
    gettext_lazy("Đã trả lại dự thảo cho người soạn."), prefix="return",
)
attach = _step(
    "attach", AttachForm, lambda r, d, data: _save_files(r, d, data["files"]), None,
)
recall = _step(
    "recall", RecallForm,
    lambda r, d, data: document_recall_request(actor=r.membership, document_id=d.pk, reason=data["reason"]),
    gettext_lazy("Đã gửi yêu cầu thu hồi đến các nơi nhận."), prefix="recall",
)


@member_required
@require_POST
def delete(request: HttpRequest, document_id) -> HttpResponse:
    """The drafter deletes a draft, then lands on the list."""
    document = document_get(document_id=document_id)
    form = ConfirmForm(request.POST, prefix="delete")
    if form.is_valid():

        def act() -> str:
            document_delete(actor=request.membership, document_id=document.pk)
            messages.success(request, _("Đã xóa dự thảo “%(s)s”.") % {"s": document.subject[:80]})
            return reverse("web:outgoing-list")

        response = perform(request, form, action=act, fallback=reverse("web:outgoing-detail", args=[document.pk]))
        if response is not None:
            return response
    return document_page(request, document, {"delete": form}, status=400)


@member_required
def issue_page(request: HttpRequest, document_id) -> HttpResponse:
    """The clerk's issue page: what will be numbered, then the issue itself."""
    document = document_get(document_id=document_id)
    url = reverse("web:outgoing-detail", args=[document.pk])
    if "issue" not in offered_actions(document=document, member=request.membership):
        messages.warning(request, _("Văn bản này không ở bước phát hành, hoặc bạn không phải văn thư."))
        return redirect(url)
    preview = issue_preview(document=document)
    form = IssueForm(request.POST or None, paper_only=preview.paper_only)
    if request.method == "POST" and form.is_valid():

        def issue() -> str:
            issued = document_issue(actor=request.membership, document_id=document.pk)
            messages.success(request, _("Đã phát hành văn bản số %(n)s.") % {"n": issued.notation})
            return url

        response = perform(request, form, action=issue, fallback=url)
        if response is not None:
            return response
    return render(request, "web/outgoing/issue.html", {
        "doc": document, "form": form, "preview": preview, "nav": "to-issue",
    }, status=400 if form.is_bound else 200)
