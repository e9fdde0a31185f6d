"""Form of the oversight page: the month (from the query string) and the ranking criterion."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docflow.reports.oversight import month_checked

# The criteria the ranking sorts by, as the page names them (keys of reports.oversight.SORTS).
SORT_CHOICES = [
    ("code", _("Mã định danh")),
    ("electronic_share", _("Tỷ lệ gửi, nhận điện tử")),
    ("signed_share", _("Tỷ lệ ký số")),
    ("on_time_share", _("Tỷ lệ đúng hạn")),
    ("overdue", _("Số quá hạn")),
    ("received", _("Văn bản đến")),
    ("issued", _("Văn bản đi")),
    ("mean_handling_days", _("Thời gian xử lý TB")),
]
# The selector's field names and the page's.
FIELD_NAMES = {"year": "nam", "month": "thang"}


class OversightMonthForm(forms.Form):
    """The month to rank; this month when left empty."""

    thang = forms.IntegerField(label=_("Tháng"), required=False)
    nam = forms.IntegerField(label=_("Năm"), required=False)
    sap_xep = forms.ChoiceField(label=_("Xếp theo"), choices=SORT_CHOICES, required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if self.errors:
            return data
        try:
            data["month"] = month_checked(year=data.get("nam") or today.year, month=data.get("thang") or today.month)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(FIELD_NAMES.get(field), message)
        return data

    def month(self) -> dt.date:
        """The valid month, or this one."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["month"]
        return timezone.localdate().replace(day=1)

    def sort(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("sap_xep") or "code"
        return "code"
