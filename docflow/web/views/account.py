"""Signing in and out, and choosing the agency to act in."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from docflow.tenancy.middleware import SESSION_AGENCY_KEY
from docflow.tenancy.selectors import memberships_of_user
from docflow.web.forms.account import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
