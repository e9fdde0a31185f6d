"""Files (hồ sơ): the year's list, a file, my files, filing a document, handing over to the
archive. The same services and selectors as ``/api/v1/files/`` and ``/api/v1/archive-transfers/``."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from docflow.documents.files import stored_file_open
from docflow.records import file_list as lists
from docflow.records import selectors, services
from docflow.records.models import FileState
from docflow.records.permissions import LIST_KEEPERS, TRANSFER_ROLES, may_close
from docflow.records.transfers import archive_transfer_create, package_root
from docflow.records.retention import retention_rule_save, retention_rules
from docflow.web.forms.records import (
    FIELD_NAMES, CopyForwardForm, EntryForm, FileDocumentForm, FileNoteForm, HeadingForm, NoteForm, OpenFileForm,
    OpenFromEntryForm, ReasonForm, RetentionRuleForm, TransferForm,
)
from docflow.web.views.common import member_required, perform, role_required

PAGE_ROWS = 200
DOWNLOADS = {
    "goi.zip": ("package_sha256", "application/zip"),
    "muc-luc.pdf": ("handover_list_sha256", "application/pdf"),
    "bien-ban.pdf": ("handover_record_sha256", "application/pdf"),
}


def _year(value: str | None, *, ahead: int = 1) -> int:
    """The year asked for, or this year when it is not one between 2000 and ``ahead`` years on."""
    this_year = timezone.localdate().year
    try:
        year = int(value) if value else this_year
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + ahead else this_year


def _warn_form(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.warning(request, error)


def _post(request: HttpRequest, form, *, action, back: str) -> HttpResponse:
    """Run a service through a one-time form; its refusals come back as messages on ``back``."""
    if not form.is_valid():
        _warn_form(request, form)
        return redirect(back)
    response = perform(request, form, action=action, fallback=back, field_map=FIELD_NAMES)
    if response is None:
        _warn_form(request, form)
        return redirect(back)
    return response


@member_required
def files_page(request: HttpRequest) -> HttpResponse:
    q, state = request.GET.get("q", ""), request.GET.get("trang_thai", "")
    files = selectors.files_list(q=q, state=state if state in FileState.values else "")
    return render(request, "web/records/files.html", {
        "nav": "files", "files": files[:PAGE_ROWS], "q": q, "state": state, "states": FileState.choices,
        "may_keep": request.membership.has_role(*LIST_KEEPERS),
        "may_transfer": request.membership.has_role(*TRANSFER_ROLES),
        "open_form": OpenFileForm(initial={"nam": timezone.localdate().year}),
    })


def _entry_form(request: HttpRequest, year: int, data=None) -> EntryForm:
    sections = lists.file_list_sections(year=year)
    return EntryForm(data, headings=[s.heading for s in sections if s.heading],
                     rules=retention_rules(agency_id=request.agency.pk))


@member_required
def file_list_page(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("nam"))
    return render(request, "web/records/file_list.html", {
        "nav": "files", "year": year, "sections": lists.file_list_sections(year=year),
        "opened": set(selectors.files_list(year=year).values_list("entry_id", flat=True)),
        "may_keep": request.membership.has_role(*LIST_KEEPERS),
        "copy_form": CopyForwardForm(initial={"tu_nam": year - 1, "den_nam": year}),
        "entry_form": OpenFromEntryForm(), "heading_form": HeadingForm(), "new_entry_form": _entry_form(request, year),
    })


@require_POST
@role_required(*LIST_KEEPERS)
def file_heading_add(request: HttpRequest, year: int) -> HttpResponse:
    form = HeadingForm(request.POST)
    back = f"{reverse('web:file-list')}?nam={year}"

    def add() -> str:
        lists.file_heading_create(actor=request.membership, year=year, title=form.cleaned_data["de_muc"])
        return back

    return _post(request, form, action=add, back=back)


@require_POST
@role_required(*LIST_KEEPERS)
def file_entry_add(request: HttpRequest, year: int) -> HttpResponse:
    form = _entry_form(request, year, request.POST)
    back = f"{reverse('web:file-list')}?nam={year}"

    def add() -> str:
        data = form.cleaned_data
        lists.file_entry_create(
            actor=request.membership, year=year, code=data["ky_hieu"], title=data["tieu_de"],
            retention=lists.parse_retention(data["thoi_han"], field="years"), heading_id=data["dm"] or None,
            retention_rule_id=data["nhom"] or None,
        )
        messages.success(request, _("Đã thêm hồ sơ vào danh mục."))
        return back

    return _post(request, form, action=add, back=back)


@member_required
def retention_page(request: HttpRequest) -> HttpResponse:
    """The agency's retention table; the agency admin adds and changes lines."""
    form = RetentionRuleForm(request.POST or None)
    back = reverse("web:retention")
    if request.method == "POST":
        def save() -> str:
            data = form.cleaned_data
            retention_rule_save(actor=request.membership, code=data["so"], name=data["ten"],
                                years=lists.parse_retention(data["thoi_han"], field="years"))
            messages.success(request, _("Đã lưu dòng của bảng thời hạn bảo quản."))
            return back

        return _post(request, form, action=save, back=back)
    return render(request, "web/records/retention.html", {
        "nav": "files", "rules": retention_rules(agency_id=request.agency.pk), "form": form,
        "may_edit": request.membership.has_role("agency_admin"),
    })


@member_required
def file_list_export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "csv"):
        raise Http404
    data = lists.file_list_csv(year=year) if fmt == "csv" else lists.file_list_pdf(year=year)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="danh-muc-ho-so-{year}-{request.agency.code}.{fmt}"'
    return response


@require_POST
@role_required(*LIST_KEEPERS)
def file_list_copy(request: HttpRequest) -> HttpResponse:
    form = CopyForwardForm(request.POST)

    def copy() -> str:
        count = lists.file_list_copy_forward(actor=request.membership, from_year=form.cleaned_data["tu_nam"],
                                             to_year=form.cleaned_data["den_nam"])
        messages.success(request, _("Đã sao %(n)s hồ sơ sang danh mục năm mới.") % {"n": count})
        return f"{reverse('web:file-list')}?nam={form.cleaned_data['den_nam']}"

    return _post(request, form, action=copy, back=reverse("web:file-list"))


@require_POST
@role_required(*LIST_KEEPERS)
def file_open(request: HttpRequest) -> HttpResponse:
    """From a list entry (``dong``) or ad hoc (code, title, year, retention)."""
    from_entry = "dong" in request.POST
    form = OpenFromEntryForm(request.POST) if from_entry else OpenFileForm(request.POST)

    def open_file() -> str:
        data = form.cleaned_data
        if from_entry:
            work_file = services.work_file_open(actor=request.membership, entry_id=data["dong"])
        else:
            work_file = services.work_file_open(
                actor=request.membership, year=data["nam"], code=data["ky_hieu"], title=data["tieu_de"],
                retention=lists.parse_retention(data["thoi_han"]),
            )
        messages.success(request, _("Đã mở hồ sơ."))
        return reverse("web:file-detail", args=[work_file.pk])

    return _post(request, form, action=open_file,
                 back=reverse("web:file-list") if from_entry else reverse("web:files"))


@member_required
def file_detail_page(request: HttpRequest, file_id) -> HttpResponse:
    work_file = selectors.work_file_get(file_id=file_id)
    member = request.membership
    return render(request, "web/records/file_detail.html", {
        "nav": "files", "file": work_file, "items": list(work_file.documents.all()),
        "may_close": work_file.state == FileState.OPEN and may_close(member, work_file),
        "may_reopen": work_file.state == FileState.CLOSED and member.has_role("agency_admin"),
        "may_note": work_file.state == FileState.OPEN,  # the note form's ids differ from the closing note's
        "close_form": NoteForm(), "reopen_form": ReasonForm(), "note_form": FileNoteForm(auto_id="note_%s"),
    })


def _file_step(request: HttpRequest, file_id, form, service, field: str, done: str) -> HttpResponse:
    selectors.work_file_require(file_id=file_id)  # another agency's file: 404, not a message
    back = reverse("web:file-detail", args=[file_id])

    def step() -> str:
        service(actor=request.membership, file_id=file_id, **{field: form.cleaned_data[FIELD_NAMES[field]]})
        messages.success(request, done)
        return back

    return _post(request, form, action=step, back=back)


@require_POST
@member_required
def file_close(request: HttpRequest, file_id) -> HttpResponse:
    return _file_step(request, file_id, NoteForm(request.POST), services.work_file_close, "note",
                      _("Đã kết thúc hồ sơ."))


@require_POST
@member_required
def file_note_add(request: HttpRequest, file_id) -> HttpResponse:
    return _file_step(request, file_id, FileNoteForm(request.POST), services.work_file_note_add, "note",
                      _("Đã ghi chú vào hồ sơ."))


@require_POST
@member_required
def file_reopen(request: HttpRequest, file_id) -> HttpResponse:
    return _file_step(request, file_id, ReasonForm(request.POST), services.work_file_reopen, "reason",
                      _("Đã mở lại hồ sơ."))


@require_POST
@member_required
def file_document_add(request: HttpRequest) -> HttpResponse:
    """The "Lưu vào hồ sơ" action of a document's page; back to that page."""
    form = FileDocumentForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("web:my-files")

    def add() -> str:
        kind = form.cleaned_data["loai"]
        services.work_file_document_add(actor=request.membership, file_id=form.cleaned_data["ho_so"],
                                        **{f"{kind}_id": form.cleaned_data["van_ban"]})
        messages.success(request, _("Đã lưu văn bản vào hồ sơ."))
        return back

    return _post(request, form, action=add, back=back)


@member_required
def past_retention_page(request: HttpRequest) -> HttpResponse:
    """The year's list of files whose retention has ended, for the review council; nothing is deleted."""
    year = _year(request.GET.get("nam"), ahead=100)  # planning reviews years ahead
    return render(request, "web/records/past_retention.html", {
        "nav": "files", "year": year, "files": selectors.files_past_retention(year=year)[:PAGE_ROWS],
    })


@member_required
def my_files_page(request: HttpRequest) -> HttpResponse:
    member = request.membership
    return render(request, "web/records/my_files.html", {
        "nav": "files", "files": selectors.my_open_files(member=member)[:PAGE_ROWS],
        "unfiled": selectors.incoming_unfiled(member=member)[:PAGE_ROWS],
    })


@role_required(*TRANSFER_ROLES)
def transfers_page(request: HttpRequest) -> HttpResponse:
    due = list(selectors.files_due_for_transfer()[:PAGE_ROWS])
    form = TransferForm(request.POST or None, files=due)
    if request.method == "POST":
        def hand_over() -> str:
            archive_transfer_create(actor=request.membership, file_ids=form.cleaned_data["ho_so"])
            messages.success(request, _("Đã lập đợt nộp lưu; gói dữ liệu đang được tạo."))
            return reverse("web:transfers")

        return _post(request, form, action=hand_over, back=reverse("web:transfers"))
    return render(request, "web/records/transfers.html", {
        "nav": "files", "form": form, "due": due, "transfers": selectors.transfers_list()[:50],
    })


@never_cache
@role_required(*TRANSFER_ROLES)
def transfer_download(request: HttpRequest, transfer_id, name: str) -> HttpResponse:
    if name not in DOWNLOADS:
        raise Http404
    transfer = selectors.transfer_get(transfer_id=transfer_id)
    field, content_type = DOWNLOADS[name]
    sha256 = getattr(transfer, field)
    if not sha256:
        return render(request, "web/records/transfer_pending.html", {"transfer": transfer, "nav": "files"},
                      status=202)
    filename = f"{package_root(transfer)}.zip" if name == "goi.zip" else name
    return FileResponse(stored_file_open(sha256=sha256), filename=filename, content_type=content_type)
