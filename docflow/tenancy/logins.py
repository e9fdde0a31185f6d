"""Failed sign-ins, counted by django-axes in the database (shared by every process).

Two counts decide a lockout (docs/SECURITY.md "Logins"): failures of one username from one
address (``AXES_FAILURE_LIMIT``, a few) and failures of one username from anywhere
(``DOCFLOW_LOGIN_FAILURES_PER_USERNAME``, more), so an attacker behind a town's shared address
locks only the pair they try, and spreading over many addresses still ends at the username
limit. The client address is REMOTE_ADDR, or, behind ``DOCFLOW_TRUSTED_PROXIES`` proxies, the
address the outermost of them saw in X-Forwarded-For — never a header nobody vouches for.
"""

from __future__ import annotations

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR unless proxies we run are configured in front."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.DOCFLOW_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if not hops:
        return remote
    # Each of our proxies appends the address it received from; entries further left were
    # written by the client and prove nothing.
    candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LoginAttemptsHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit for a username alone."""

    def get_failures(self, request, credentials=None) -> int:
        pair, username = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Axes compares one number with AXES_FAILURE_LIMIT: scale the username count so that it
        # reaches that limit exactly when it reaches its own.
        limit = settings.AXES_FAILURE_LIMIT
        return max(pair, username * limit // settings.DOCFLOW_LOGIN_FAILURES_PER_USERNAME)


def retry_after_seconds() -> int:
    return math.ceil(get_cool_off().total_seconds())


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 for a locked sign-in: JSON ``{detail}`` on the API, a Vietnamese page on the web."""
    seconds = retry_after_seconds()
    minutes = max(1, math.ceil(seconds / 60))
    message = _("Đăng nhập sai quá nhiều lần nên tạm bị khóa. Thử lại sau %(minutes)d phút.") % {
        "minutes": minutes}
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "web/account/locked.html", {"message": message, "minutes": minutes},
                          status=429)
    response["Retry-After"] = str(seconds)
    return response


class LoginBackend(AxesStandaloneBackend):
    """Axes' check before the password; an ``authenticate`` without a request (code, not a
    sign-in form: the test client, a shell) is not counted and goes on to the password check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
