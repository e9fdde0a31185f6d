from __future__ import annotations

from django import forms

from docflow.web.notification_kinds import kind_label
from docflow.web.once import OnceForm


class PreferencesForm(OnceForm):
    """Two boxes per kind of notification: in the bell, by email."""

    def __init__(self, *args, kinds: list[str], saved: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            pref = saved.get(kind)
            self.fields[f"app__{kind}"] = forms.BooleanField(
                required=False, initial=pref.in_app if pref else True, label=kind_label(kind)
            )
            self.fields[f"mail__{kind}"] = forms.BooleanField(
                required=False, initial=pref.email if pref else True, label=kind_label(kind)
            )

    def rows(self):
        return [(kind_label(k), self[f"app__{k}"], self[f"mail__{k}"]) for k in self.kinds]

    def choices(self):
        data = self.cleaned_data
        return [(k, data[f"app__{k}"], data[f"mail__{k}"]) for k in self.kinds]
