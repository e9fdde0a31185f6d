"""Forms of agency administration: a member and their roles, a unit, the approval chain, the
default handling days."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
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
    password = forms.CharField(label=_("Mật khẩu ban đầu"), strip=False, max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               error_messages={"required": _("Đặt mật khẩu ban đầu.")})

    def __init__(self, *args, units: list, editing: bool, shared: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(str(u.pk), u.name) for u in units]
        self.editing = editing
        if editing:
            self.fields["username"].disabled = True
            del self.fields["password"]  # a person changes their own password, or gets a reset link
        else:
            self.fields["password"].help_text = " ".join(password_validators_help_texts())
        if shared:
            for name in ("full_name", "email"):
                self.fields[name].disabled = True
            self.fields["email"].help_text = _("Người này thuộc cả cơ quan khác: họ tên và email do chính họ "
                                               "hoặc quản trị hệ thống sửa.")


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


def _days(label, *, low: int, high: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=low, max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Ô này không được để trống."), "invalid": _("Nhập một số ngày."),
                        "min_value": _("Ít nhất %(limit_value)s ngày."),
                        "max_value": _("Nhiều nhất %(limit_value)s ngày.")},
    )


class HandlingSettingsForm(OnceForm):
    """Days a lead handler has per urgency when the leader names no due date."""

    normal_days = _days(_("Văn bản thường"), low=1, high=365)
    urgent_days = _days(_("Văn bản khẩn"), low=1, high=365)
    very_urgent_days = _days(_("Văn bản thượng khẩn"), low=1, high=365)
    flash_days = _days(_("Văn bản hỏa tốc"), low=1, high=365)
    due_soon_days = _days(_("Báo sắp đến hạn trước"), low=0, high=60)

    DAY_FIELDS = ("normal_days", "urgent_days", "very_urgent_days", "flash_days", "due_soon_days")

    def days(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in self.DAY_FIELDS}
