"""The second factor on the web: the code after the password, and enrolling an app."""

from __future__ import annotations

import time

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model, login, user_login_failed
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from docflow.tenancy import second_factor
from docflow.tenancy.logins import lockout_response
from docflow.tenancy.second_factor import SESSION_VERIFIED_KEY
from docflow.web.forms.account import SecondFactorForm

# Between the password and the code, the session holds who passed the password, and when.
PENDING_KEY = "docflow_second_factor_pending"
PENDING_SECONDS = 5 * 60


def second_factor_pending(request: HttpRequest, user, *, next_url: str) -> HttpResponse:
    """The password was right and the person has a device: ask for the code next."""
    request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "at": time.time(),
                                    "next": next_url}
    return redirect("web:login-code")


@never_cache
@sensitive_post_parameters()
def login_code(request: HttpRequest) -> HttpResponse:
    """Second step of signing in; a wrong code counts as a failed sign-in (axes)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return redirect("web:login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("web:login")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return lockout_response(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.second_factor_verify(user=user, code=form.cleaned_data["code"]):
            request.session.pop(PENDING_KEY, None)
            user.backend = pending["backend"]
            login(request, user)
            request.session[SESSION_VERIFIED_KEY] = True
            next_url = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                next_url = "web:dashboard"
            return redirect(next_url)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("code", _("Mã xác thực không đúng hoặc đã được dùng."))
    return render(request, "web/account/login_code.html", {"form": form},
                  status=400 if form.is_bound else 200)


@never_cache
@login_required
def enrolment(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret) into an authenticator app, confirm with a code;
    the ten recovery codes are shown on the answer, once."""
    user = request.user
    enrolled = second_factor.confirmed_device(user=user)
    if enrolled is not None and request.GET.get("lai") != "1" and request.method != "POST":
        return render(request, "web/account/second_factor_done.html", {"device": enrolled, "nav": "account"})
    device = second_factor.enrolment_device(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.enrolment_confirm(user=user, code=form.cleaned_data["code"])
        if codes is not None:
            request.session[SESSION_VERIFIED_KEY] = True
            return render(request, "web/account/recovery_codes.html", {"codes": codes, "nav": "account"})
        form.add_error("code", _("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại rồi thử lại."))
    uri = device.config_url
    context = {
        "form": form, "nav": "account", "uri": uri,
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, title=_("Mã QR để quét")),
        "secret": _spaced(uri.split("secret=", 1)[1].split("&", 1)[0]),
        "required": request.membership is not None
        and second_factor.second_factor_required(membership=request.membership),
    }
    return render(request, "web/account/second_factor.html", context, status=400 if form.is_bound else 200)


def _spaced(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
