"""/van-ban-den/vao-so/: the clerk registers a document that arrived on paper.

First the scan (optional): uploaded, read by OCR in a worker while the page shows progress;
then the envelope form, pre-filled with what OCR read, each field marked read or typed. Nothing
is registered until the clerk sends the form. Without OCR the form is simply empty.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from docflow.core.errors import NotFound
from docflow.routing.intake import DuplicateIncoming, PaperEnvelope, incoming_register, known_senders, ocr_prefill
from docflow.routing.intake_scans import intake_scan_get, intake_scan_upload
from docflow.routing.models import OcrState
from docflow.routing.selectors import incoming_copies
from docflow.web.forms.intake import IntakeForm, ScanUploadForm
from docflow.web.views.common import perform, role_required

ENVELOPE_FIELDS = ("sender_code", "sender_name", "number", "notation", "issued_on", "doc_type",
                   "subject", "signer_name", "urgency", "secrecy", "medium", "page_count",
                   "copy_count", "duplicate_reason")


@role_required("clerk")
def intake_page(request: HttpRequest) -> HttpResponse:
    scan = _scan(request.GET.get("ban-quet") or request.POST.get("scan_id"))
    read = ocr_prefill(scan.ocr_fields) if scan and scan.ocr_state == OcrState.DONE else {}
    upload = ScanUploadForm()
    form = IntakeForm(read=read, initial=_initial(scan, read))
    duplicates = []
    if request.method == "POST" and request.POST.get("step") == "scan":
        upload = ScanUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            response = perform(request, upload, action=lambda: _uploaded(request), fallback=request.path,
                               field_map={"file": "files"})
            if response is not None:
                return response
    elif request.method == "POST":
        form = IntakeForm(request.POST, read=read)
        if form.is_valid():
            response = perform(request, form, action=lambda: _registered(request, form.cleaned_data),
                               fallback=request.path)
            if response is not None:
                return response
            found = getattr(request, "intake_duplicates", [])
            duplicates = incoming_copies(ids=found) if found else []
    context = {"upload": upload, "form": form, "scan": scan, "duplicates": duplicates,
               "known_senders": known_senders(), "nav": "incoming"}
    return render(request, "web/incoming/intake.html", context, status=400 if form.errors or upload.errors else 200)


@role_required("clerk")
def intake_scan_progress(request: HttpRequest, scan_id) -> HttpResponse:
    """The progress line, polled by htmx; once OCR has ended the page reloads with the form filled."""
    scan = intake_scan_get(scan_id=scan_id)
    response = render(request, "web/incoming/_scan_progress.html", {"scan": scan})
    if scan.ocr_state != OcrState.PENDING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _scan(scan_id):
    if not scan_id:
        return None
    try:
        return intake_scan_get(scan_id=scan_id)
    except (NotFound, ValidationError, ValueError):
        return None


def _initial(scan, read: dict) -> dict:
    initial = {"medium": "paper", "doc_type": "cong_van", **read}
    if scan is not None:
        initial.update(scan_id=scan.pk, page_count=scan.page_count)
    if read.get("issued_on"):
        initial["issued_on"] = datetime.date.fromisoformat(read["issued_on"])
    if read.get("number"):
        initial["number"] = int(read["number"])
    return initial


def _uploaded(request: HttpRequest) -> str:
    files = request.FILES.getlist("files")
    scan = intake_scan_upload(membership=request.membership, files=[(f.name, f.chunks()) for f in files])
    return f"{reverse('web:incoming-intake')}?ban-quet={scan.pk}"


def _registered(request: HttpRequest, data: dict) -> str:
    scan_id = data.get("scan_id")
    envelope = PaperEnvelope(**{k: data.get(k) for k in ENVELOPE_FIELDS},
                             scan_ids=[scan_id] if scan_id else [])
    try:
        copy = incoming_register(membership=request.membership, envelope=envelope)
    except DuplicateIncoming as exc:  # shown beside the reason field, with links to the copies held
        request.intake_duplicates = exc.duplicates
        raise ValidationError({"duplicate_reason": [exc.message]}) from None
    messages.success(request, _("Đã vào sổ văn bản đến số %(n)s.") % {"n": copy.incoming_number})
    return reverse("web:incoming-detail", args=[copy.pk])
