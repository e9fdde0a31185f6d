from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
