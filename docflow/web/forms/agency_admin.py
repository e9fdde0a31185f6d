"""Forms of agency administration: a member and their roles, a unit, the approval chain."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docflow.documents.models import ApprovalRole
from docflow.tenancy.models import Role
from docflow.web.forms.fields import text
from docflow.web.once import OnceForm

MAX_CHAIN_STEPS = 5


class MemberForm(OnceForm):
    username = forms.RegexField(
        label=_("Tên đăng nhập"), regex=r"^[a-z0-9_.-]{3,150}$",
        error_messages={"invalid": _("Chỉ chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang; ít nhất 3 ký tự."),
                        "required": _("Ô này không được để trống.")},
    )
    full_name = text(_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False,
                             error_messages={"invalid": _("Địa chỉ email không hợp lệ.")})
    position = text(_("Chức vụ"), required=False, max_length=120)
    unit = forms.ChoiceField(label=_("Phòng, ban"), required=False)
    roles = forms.MultipleChoiceField(label=_("Vai trò"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(label=_("Mật khẩu ban đầu"), required=False, widget=forms.PasswordInput,
                               min_length=8,
                               error_messages={"min_length": _("Mật khẩu có ít nhất 8 ký tự.")})

    def __init__(self, *args, units: list, editing: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(str(u.pk), u.name) for u in units]
        self.editing = editing
        if editing:
            self.fields["username"].disabled = True
            del self.fields["password"]  # a person changes their own password
        else:
            self.fields["password"].required = True
            self.fields["password"].error_messages["required"] = _("Đặt mật khẩu ban đầu.")


class UnitForm(OnceForm):
    symbol = text(_("Ký hiệu"), max_length=20, help_text=_("Dùng trong số, ký hiệu công văn, ví dụ VP."))
    name = text(_("Tên phòng, ban"), max_length=255)


class ChainForm(OnceForm):
    """Up to five steps in order; blank rows are dropped; the last step is a leader who signs."""

    def __init__(self, *args, current: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MAX_CHAIN_STEPS):
            step = current[i] if i < len(current) else {}
            self.fields[f"label_{i}"] = forms.CharField(label=_("Tên bước %(n)d") % {"n": i + 1}, required=False,
                                                        max_length=120, initial=step.get("label", ""))
            self.fields[f"role_{i}"] = forms.ChoiceField(label=_("Người duyệt bước %(n)d") % {"n": i + 1},
                                                         choices=ApprovalRole.choices, initial=step.get("role", ApprovalRole.LEADER))
            self.fields[f"positions_{i}"] = forms.CharField(
                label=_("Chức vụ được duyệt bước %(n)d") % {"n": i + 1}, required=False,
                initial=", ".join(step.get("positions", [])), help_text=_("Cách nhau bởi dấu phẩy."))

    def rows(self):
        return [(self[f"label_{i}"], self[f"role_{i}"], self[f"positions_{i}"]) for i in range(MAX_CHAIN_STEPS)]

    def steps(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"label": data[f"label_{i}"], "role": data[f"role_{i}"],
             "positions": [p.strip() for p in data[f"positions_{i}"].split(",") if p.strip()]}
            for i in range(MAX_CHAIN_STEPS) if data[f"label_{i}"].strip()
        ]
