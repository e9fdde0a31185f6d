"""Forms of the incoming pages: the list filters and every step of handling a copy."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from docflow.documents.types import Urgency
from docflow.web.forms.fields import DayField, text
from docflow.web.once import OnceForm
from docflow.web.status_words import STATUS_CHOICES, work_list_name

WORK_LIST_CHOICES = [
    ("", _("Tất cả đang theo dõi")),
    ("to_accept", lazy(work_list_name, str)("to_accept")),
    ("to_approve", lazy(work_list_name, str)("to_approve")),
    ("to_handle", _("Cần xử lý")),
    ("informed", _("Để biết")),
    ("overdue", _("Quá hạn")),
    ("due_soon", _("Sắp đến hạn")),
    ("all", _("Tất cả, kể cả đã thu hồi")),
]


class IncomingFilterForm(forms.Form):
    """The list's filters, read from the query string (field names are the URL's)."""

    ds = forms.ChoiceField(label=_("Danh sách"), choices=WORK_LIST_CHOICES, required=False)
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=200,
                        help_text=_("Số, ký hiệu, trích yếu, nơi gửi; gõ không dấu cũng được."))
    # Checkboxes, not a multiple select: a phone has no Ctrl-click.
    status = forms.MultipleChoiceField(label=_("Trạng thái"), choices=STATUS_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    urgency = forms.MultipleChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    sender = forms.ChoiceField(label=_("Nơi gửi"), required=False)
    tu_ngay = DayField(label=_("Đến từ ngày"), required=False)
    den_ngay = DayField(label=_("Đến ngày"), required=False)
    han_truoc = DayField(label=_("Hạn xử lý đến ngày"), required=False)

    def __init__(self, *args, senders: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sender"].choices = [("", _("Tất cả"))] + senders

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "work_list": data.get("ds", ""),
            "q": data.get("q", ""),
            "status": data.get("status") or (),
            "urgency": data.get("urgency") or (),
            "sender": data.get("sender", ""),
            "received_from": data.get("tu_ngay"),
            "received_to": data.get("den_ngay"),
            "due_before": data.get("han_truoc"),
        }


class AcceptForm(OnceForm):
    pass


class RejectForm(OnceForm):
    reason = text(_("Lý do từ chối"), rows=3)


class AssignForm(OnceForm):
    """The people picker: one lead, co-ordinators and people to inform, by username."""

    lead = forms.ChoiceField(label=_("Chủ trì"), error_messages={"required": _("Chọn một người chủ trì.")})
    coordinators = forms.MultipleChoiceField(label=_("Phối hợp"), required=False)
    informed = forms.MultipleChoiceField(label=_("Để biết"), required=False)
    due_date = DayField(label=_("Hạn xử lý"), required=False,
                        help_text=_("Để trống: hạn theo độ khẩn, theo cài đặt của cơ quan."))
    instruction = text(_("Ý kiến chỉ đạo"), required=False, rows=3)

    def __init__(self, *args, people: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        choices = [(m.user.username, m.user.get_full_name()) for m in people]
        for name in ("lead", "coordinators", "informed"):
            self.fields[name].choices = choices

    def clean(self):
        data = super().clean()
        lead = data.get("lead")
        for name in ("coordinators", "informed"):
            if lead and lead in data.get(name, []):
                self.add_error(name, _("Người chủ trì không đồng thời ở nhóm này."))
        if set(data.get("coordinators", [])) & set(data.get("informed", [])):
            self.add_error("informed", _("Một người chỉ ở một nhóm: phối hợp hoặc để biết."))
        return data

    def picker_fields(self):
        return [self["lead"], self["coordinators"], self["informed"]]

    def picker_rows(self):
        """Each person with what is ticked for them now (a blank or a returned form)."""
        lead = self["lead"].value() or ""
        coordinators = set(self["coordinators"].value() or [])
        informed = set(self["informed"].value() or [])
        return [
            {
                "member": m,
                "username": m.user.username,
                "lead": m.user.username == lead,
                "coordinator": m.user.username in coordinators,
                "informed": m.user.username in informed,
            }
            for m in self.people
        ]


class NoteForm(OnceForm):
    note = text(_("Nội dung"), rows=3)


class ForwardForm(OnceForm):
    to = forms.ChoiceField(label=_("Chuyển cho"), error_messages={"required": _("Chọn người nhận.")})
    note = text(_("Ghi chú"), required=False, rows=2)

    def __init__(self, *args, people: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", "—")] + [(m.user.username, m.user.get_full_name()) for m in people]


class CompleteForm(OnceForm):
    note = text(_("Kết quả xử lý"), rows=3)
    reply_outgoing_id = forms.ChoiceField(label=_("Văn bản trả lời"), required=False,
                                          help_text=_("Văn bản đi đã phát hành của cơ quan trả lời văn bản này."))

    def __init__(self, *args, replies: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply_outgoing_id"].choices = [("", _("Không có"))] + [
            (str(d.pk), f"{d.notation} — {d.subject[:80]}") for d in replies
        ]


class RecallDecisionForm(OnceForm):
    accept = forms.TypedChoiceField(
        label=_("Quyết định"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Đồng ý thu hồi")), ("no", _("Từ chối thu hồi"))],
        error_messages={"required": _("Chọn đồng ý hoặc từ chối.")},
    )
    reason = text(_("Lý do"), required=False, rows=2)
