"""Fields shared by the web forms: day-first dates, Vietnamese messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DayField(forms.DateField):
    """A date typed as dd/mm/yyyy (yyyy-mm-dd accepted too)."""

    widget = forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {"invalid": _("Ngày phải có dạng ngày/tháng/năm, ví dụ 05/03/2025.")}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"])
        kwargs.setdefault("localize", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%d/%m/%Y")
        return value


def text(label, *, required: bool = True, rows: int = 0, max_length: int | None = None, help_text: str = ""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=widget, help_text=help_text,
        error_messages={"required": _("Ô này không được để trống.")},
    )
