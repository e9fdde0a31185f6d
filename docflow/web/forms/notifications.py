from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docflow.web.notification_kinds import kind_label
from docflow.web.once import OnceForm

EMAIL_CHOICES = [
    ("now", _("Gửi ngay")),
    ("digest", _("Tổng hợp lúc 17:00")),
    ("off", _("Không gửi")),
]


def _email_choice(pref) -> str:
    if pref is None or (pref.email and not pref.digest):
        return "now"
    return "digest" if pref.email else "off"


class PreferencesForm(OnceForm):
    """Per kind of notification: a box for the bell, and email at once, in the daily digest or not."""

    def __init__(self, *args, kinds: list[str], saved: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            pref = saved.get(kind)
            self.fields[f"app__{kind}"] = forms.BooleanField(
                required=False, initial=pref.in_app if pref else True, label=kind_label(kind)
            )
            self.fields[f"mail__{kind}"] = forms.ChoiceField(
                choices=EMAIL_CHOICES, initial=_email_choice(pref), widget=forms.RadioSelect,
                label=kind_label(kind),
            )

    def rows(self):
        return [(kind_label(k), self[f"app__{k}"], self[f"mail__{k}"]) for k in self.kinds]

    def choices(self):
        """(kind, in the bell, by email, in the digest) for each kind."""
        data = self.cleaned_data
        return [
            (k, data[f"app__{k}"], data[f"mail__{k}"] != "off", data[f"mail__{k}"] == "digest")
            for k in self.kinds
        ]
