"""Forms of the statistics page: the period (from the query string) and asking for a PDF report."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docflow.routing.statistics import Period
from docflow.web.forms.fields import DayField
from docflow.web.once import OnceForm

# The service's field names and the page's.
FIELD_NAMES = {"from": "tu_ngay", "to": "den_ngay"}


class PeriodForm(forms.Form):
    """The days to count, both included; the current month to date when left empty."""

    tu_ngay = DayField(label=_("Từ ngày"), required=False)
    den_ngay = DayField(label=_("Đến ngày"), required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        try:
            data["period"] = Period.checked(first=data.get("tu_ngay") or today.replace(day=1),
                                            last=data.get("den_ngay") or today)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(FIELD_NAMES.get(field), message)
        return data

    def period(self) -> Period:
        """The valid period, or the current month to date."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        today = timezone.localdate()
        return Period(first=today.replace(day=1), last=today)


class ReportRequestForm(OnceForm):
    tu_ngay = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
    den_ngay = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
