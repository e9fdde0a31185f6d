"""Forms of a person's account: signing in, changing their password, setting a new one."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from docflow.web.once import OnceForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].error_messages["required"] = _("Nhập tên đăng nhập.")
        self.fields["password"].error_messages["required"] = _("Nhập mật khẩu.")


def _password(label, *, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label, strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": _("Ô này không được để trống.")},
    )


class NewPasswordForm(forms.Form):
    """A new password typed twice; the validators run in the service."""

    new_password = _password(_("Mật khẩu mới"))
    new_password_again = _password(_("Nhập lại mật khẩu mới"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = " ".join(password_validators_help_texts())

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password_again") not in (None, data["new_password"]):
            self.add_error("new_password_again", _("Hai lần nhập mật khẩu mới không giống nhau."))
        return data


class PasswordChangeForm(OnceForm, NewPasswordForm):
    old_password = _password(_("Mật khẩu hiện tại"), autocomplete="current-password")
    field_order = ["old_password", "new_password", "new_password_again"]


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Mã xác thực"), max_length=20, strip=True,
        help_text=_("6 chữ số trong ứng dụng xác thực, hoặc một mã khôi phục."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        error_messages={"required": _("Nhập mã xác thực.")},
    )
