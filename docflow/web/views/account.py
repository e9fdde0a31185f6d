"""Signing in and out, choosing the agency to act in, and a person's own password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from docflow.core.errors import InvalidState
from docflow.tenancy import passwords
from docflow.tenancy.middleware import SESSION_AGENCY_KEY
from docflow.tenancy.second_factor import confirmed_device
from docflow.tenancy.selectors import memberships_of_user
from docflow.web.forms.account import LoginForm, NewPasswordForm, PasswordChangeForm
from docflow.web.views.common import errors_to_form, member_required, perform
from docflow.web.views.second_factor import second_factor_pending

# The link's token moves into the session so it is not in the address (or a Referer) while typing.
RESET_SESSION_KEY = "docflow_password_reset_token"
RESET_URL_TOKEN = "dat-mat-khau"


class LoginView(auth_views.LoginView):
    """The password; a person with a confirmed second-factor device gives a code next."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if confirmed_device(user=user) is not None:
            return second_factor_pending(self.request, user, next_url=self.get_redirect_url())
        return super().form_valid(form)


@method_decorator(require_POST, name="dispatch")
class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_POST
def switch_agency(request: HttpRequest) -> HttpResponse:
    """Act in another of the person's agencies; an agency they do not belong to is ignored."""
    code = request.POST.get("agency", "")
    if any(m.agency.code == code for m in memberships_of_user(user=request.user)):
        request.session[SESSION_AGENCY_KEY] = code
    return redirect("web:dashboard")


@sensitive_post_parameters()
@member_required
def password_change(request: HttpRequest) -> HttpResponse:
    """The person changes their own password and stays signed in here (other sessions end)."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def save() -> str:
            user = passwords.password_change(
                membership=request.membership, old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
            update_session_auth_hash(request, user)
            messages.success(request, _("Đã đổi mật khẩu."))
            return reverse("web:dashboard")

        response = perform(request, form, action=save, fallback=reverse("web:password-change"))
        if response is not None:
            return response
    return render(request, "web/account/password_change.html", {"form": form, "nav": "account"},
                  status=400 if form.is_bound else 200)


@never_cache
@sensitive_post_parameters()
def password_reset(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The page a reset link opens: the person sets a new password, once."""
    if token != RESET_URL_TOKEN:
        if passwords.password_reset_user(uidb64=uidb64, token=token) is None:
            return _reset_link_dead(request)
        request.session[RESET_SESSION_KEY] = token
        return redirect("web:password-reset", uidb64=uidb64, token=RESET_URL_TOKEN)
    token = request.session.get(RESET_SESSION_KEY, "")
    user = passwords.password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        return _reset_link_dead(request)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            passwords.password_reset_complete(uidb64=uidb64, token=token,
                                              new_password=form.cleaned_data["new_password"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        except InvalidState:
            return _reset_link_dead(request)
        else:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(request, _("Đã đặt mật khẩu mới. Mời đăng nhập."))
            return redirect("web:login")
    return render(request, "web/account/password_reset.html", {"form": form, "person": user},
                  status=400 if form.is_bound else 200)


def _reset_link_dead(request: HttpRequest) -> HttpResponse:
    request.session.pop(RESET_SESSION_KEY, None)
    return render(request, "web/account/password_reset_dead.html", status=404)
