"""Forms of the outgoing pages: the draft, its attachments, approval and issuing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docflow.documents.models import SignerAuthority
from docflow.documents.types import DOCUMENT_TYPES, Secrecy, Urgency
from docflow.web.forms.fields import DayField, text
from docflow.web.once import OnceForm


class MultipleFilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files at once (the draft's attachments); the service checks each one."""

    widget = MultipleFilesInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(FilesField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class DraftForm(OnceForm):
    """A draft as the API takes it: codes, symbols and usernames; the service checks them."""

    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=[(t.code, t.name) for t in DOCUMENT_TYPES],
                                 initial="cong_van")
    subject = text(_("Trích yếu"), max_length=500, rows=2)
    body = text(_("Nội dung"), required=False, rows=10)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    secrecy = forms.ChoiceField(label=_("Độ mật"), choices=Secrecy.choices, initial=Secrecy.NORMAL,
                                help_text=_("Văn bản mật chỉ gửi bản giấy, không gửi điện tử."))
    unit = forms.ChoiceField(label=_("Đơn vị soạn thảo"), required=False)
    signer = forms.ChoiceField(label=_("Người ký"), required=False)
    signer_authority = forms.ChoiceField(label=_("Thẩm quyền ký"), choices=SignerAuthority.choices, required=False)
    recipients = forms.Field(label=_("Nơi nhận trong hệ thống"), required=False)
    external_places = text(_("Nơi nhận khác (bản giấy)"), required=False, rows=3,
                           help_text=_("Mỗi nơi một dòng."))
    due_date = DayField(label=_("Hạn trả lời"), required=False)
    files = FilesField(label=_("Tệp đính kèm"), required=False)

    def __init__(self, *args, units: list, signers: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.symbol, f"{u.name} ({u.symbol})") for u in units]
        self.fields["signer"].choices = [("", "—")] + [
            (m.user.username, f"{m.user.get_full_name()} — {m.position}") for m in signers
        ]

    def clean_recipients(self):
        # Codes are checked by the service (unknown codes are named there, beside this field).
        return self.data.getlist(self.add_prefix("recipients")) if hasattr(self.data, "getlist") else []

    def clean_external_places(self):
        return [line.strip() for line in self.cleaned_data["external_places"].splitlines() if line.strip()]

    def service_values(self, *, recipients: list[str]) -> dict:
        data = self.cleaned_data
        return {
            "doc_type": data["doc_type"], "subject": data["subject"], "body": data["body"],
            "urgency": data["urgency"], "secrecy": data["secrecy"], "unit": data["unit"] or None,
            "signer": data["signer"] or None, "signer_authority": data["signer_authority"] or "",
            "recipients": recipients, "external_places": data["external_places"],
            "due_date": data["due_date"],
        }


class AttachForm(OnceForm):
    files = FilesField(label=_("Thêm tệp đính kèm"), error_messages={"required": _("Chọn ít nhất một tệp.")})


class ConfirmForm(OnceForm):
    """A step with nothing to fill in: submit, approve, issue."""


class IssueForm(OnceForm):
    """Issuing: a document that reaches no agency electronically needs the clerk's word that
    it goes on paper only."""

    paper_only = forms.BooleanField(
        label=_("Tôi xác nhận văn bản này chỉ phát hành bản giấy (không gửi điện tử đến cơ quan nào)."),
        required=False,
    )

    def __init__(self, *args, paper_only: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.needs_paper_confirmation = paper_only
        if not paper_only:
            del self.fields["paper_only"]

    def clean(self):
        data = super().clean()
        if self.needs_paper_confirmation and not data.get("paper_only"):
            self.add_error("paper_only", _("Văn bản không đến cơ quan nào qua hệ thống: hãy xác nhận chỉ phát hành bản giấy."))
        return data


class ReturnForm(OnceForm):
    comment = text(_("Ý kiến trả lại"), rows=3)


class RecallForm(OnceForm):
    reason = text(_("Lý do thu hồi"), rows=3)
