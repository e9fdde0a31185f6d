"""The clerk's form for a document that arrived on paper: its scan, then its envelope."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from docflow.documents.types import DocType, Secrecy, Urgency
from docflow.routing.intake import PAPER_MEDIA
from docflow.web.forms.fields import DayField, text
from docflow.web.once import OnceForm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pages of a scan, in order)."""

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            return [super().clean(None, initial)]  # the "required" error
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ScanUploadForm(OnceForm):
    files = MultipleFileField(
        label=_("Bản quét"), widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.tif,.tiff"}),
        help_text=_("Một tệp PDF, hoặc nhiều ảnh (JPEG, PNG, TIFF) theo thứ tự trang."),
        error_messages={"required": _("Chọn tệp bản quét.")},
    )


class IntakeForm(OnceForm):
    """The envelope; fields pre-filled from OCR are marked read, the others typed."""

    scan_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    sender_code = forms.CharField(label=_("Mã định danh nơi gửi"), required=False, max_length=13,
                                  help_text=_("Cơ quan trong danh bạ; để trống nếu không có."))
    sender_name = forms.CharField(label=_("Tên nơi gửi"), required=False, max_length=255,
                                  widget=forms.TextInput(attrs={"list": "known-senders", "autocomplete": "off"}),
                                  help_text=_("Nơi gửi ngoài danh bạ được ghi nhớ cho lần sau."))
    number = forms.IntegerField(label=_("Số"), required=False, min_value=1)
    notation = text(_("Số và ký hiệu"), max_length=80)
    issued_on = DayField(label=_("Ngày ban hành"), error_messages={"required": _("Nhập ngày ban hành.")})
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocType.choices)
    subject = text(_("Trích yếu"), required=False, rows=2, max_length=500)
    signer_name = forms.CharField(label=_("Người ký"), required=False, max_length=150)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    secrecy = forms.ChoiceField(label=_("Độ mật"), choices=Secrecy.choices, initial=Secrecy.NORMAL,
                                help_text=_("Văn bản mật vào sổ mật, không ghi trích yếu, không đưa bản quét lên."))
    medium = forms.ChoiceField(label=_("Hình thức nhận"), choices=[(m.value, m.label) for m in PAPER_MEDIA])
    page_count = forms.IntegerField(label=_("Số trang"), required=False, min_value=1, max_value=10000)
    copy_count = forms.IntegerField(label=_("Số bản"), required=False, min_value=1, max_value=10000)
    duplicate_reason = text(_("Lý do vào sổ bản trùng"), required=False, rows=2,
                            help_text=_("Chỉ khi văn bản này đã có trong sổ mà vẫn vào sổ thêm một bản."))

    READ_MARKED = ("number", "notation", "issued_on", "sender_name", "doc_type", "subject")

    def __init__(self, *args, read: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.read = read or {}

    def marks(self) -> dict[str, str]:
        """"read" or "typed" for each field OCR may pre-fill ("" when no scan was read)."""
        return {name: self._mark(name) for name in self.READ_MARKED}

    def _mark(self, name: str) -> str:
        if not self.read:
            return ""
        read = self.read.get(name)
        if not read:
            return "typed"
        if name == "issued_on":
            read = datetime.date.fromisoformat(read)
        field = self.fields[name]
        same = str(field.prepare_value(self[name].value()) or "") == str(field.prepare_value(read))
        return "read" if same else "typed"
