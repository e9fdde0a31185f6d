"""Forms of the files pages: open a file, close and reopen it, file a document, hand over."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docflow.web.forms.fields import text
from docflow.web.once import OnceForm

# The services' field names and the pages'.
FIELD_NAMES = {"code": "ky_hieu", "title": "tieu_de", "year": "nam", "retention": "thoi_han",
               "note": "ghi_chu", "reason": "ly_do", "files": "ho_so", "to_year": "den_nam",
               "from_year": "tu_nam", "incoming_id": "ho_so", "outgoing_id": "ho_so", "heading": "dm",
               "retention_rule": "nhom", "name": "ten", "years": "thoi_han"}


class OpenFileForm(OnceForm):
    ky_hieu = text(_("Số và ký hiệu hồ sơ"), max_length=40)
    tieu_de = text(_("Tiêu đề hồ sơ"), max_length=500)
    nam = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    thoi_han = forms.CharField(label=_("Thời hạn bảo quản (số năm, để trống nếu vĩnh viễn)"), required=False,
                               max_length=3)


class OpenFromEntryForm(OnceForm):
    dong = forms.UUIDField(widget=forms.HiddenInput)


class NoteForm(OnceForm):
    ghi_chu = forms.CharField(label=_("Ghi chú kết thúc hồ sơ"), widget=forms.Textarea(attrs={"rows": 2}),
                              required=False, max_length=2000)


class FileNoteForm(OnceForm):
    ghi_chu = forms.CharField(label=_("Ghi chú vào hồ sơ"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=4000)


class ReasonForm(OnceForm):
    ly_do = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}),
                            required=False, max_length=2000)


class CopyForwardForm(OnceForm):
    tu_nam = forms.IntegerField(label=_("Sao từ năm"), min_value=2000, max_value=2100)
    den_nam = forms.IntegerField(label=_("Sang năm"), min_value=2000, max_value=2100)


class FileDocumentForm(OnceForm):
    ho_so = forms.UUIDField(label=_("Hồ sơ"))
    loai = forms.ChoiceField(choices=[("incoming", "incoming"), ("outgoing", "outgoing")], widget=forms.HiddenInput)
    van_ban = forms.UUIDField(widget=forms.HiddenInput)


class TransferForm(OnceForm):
    ho_so = forms.MultipleChoiceField(label=_("Hồ sơ nộp lưu"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, files=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ho_so"].choices = [(str(f.pk), f"{f.code} — {f.title}") for f in files]


class HeadingForm(OnceForm):
    de_muc = text(_("Tên đề mục"), max_length=300)


class EntryForm(OnceForm):
    dm = forms.ChoiceField(label=_("Đề mục"), required=False)
    ky_hieu = text(_("Số và ký hiệu hồ sơ"), max_length=40)
    tieu_de = text(_("Tiêu đề hồ sơ"), max_length=500)
    nhom = forms.ChoiceField(label=_("Nhóm trong bảng thời hạn bảo quản"), required=False)
    thoi_han = forms.CharField(label=_("Hoặc thời hạn (số năm, để trống nếu vĩnh viễn)"), required=False,
                               max_length=3)

    def __init__(self, *args, headings=(), rules=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dm"].choices = [("", "—")] + [(str(h.pk), h.title) for h in headings]
        self.fields["nhom"].choices = [("", "—")] + [(str(r.pk), str(r)) for r in rules]


class RetentionRuleForm(OnceForm):
    so = text(_("Số thứ tự"), max_length=20)
    ten = text(_("Nhóm hồ sơ, tài liệu"), max_length=300)
    thoi_han = forms.CharField(label=_("Thời hạn (số năm, để trống nếu vĩnh viễn)"), required=False, max_length=3)
