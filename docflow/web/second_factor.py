"""Sending a leader or agency admin whose agency requires a second factor to enrol first."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from docflow.tenancy.second_factor import SESSION_VERIFIED_KEY, confirmed_device, second_factor_required
ALLOWED_URL_NAMES = ("web:second-factor", "web:logout", "web:set-language", "web:login")


class EnrolmentRequiredMiddleware:
    """For a leader or admin of an agency that requires a second factor, a session that has not
    given a code: with no device yet, every page but enrolment and signing out redirects there;
    with a device (a session opened some other way than the code), it ends at the login."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if (
            membership is not None
            and not request.session.get(SESSION_VERIFIED_KEY)
            and second_factor_required(membership=membership)
            and request.path_info not in {reverse(name) for name in ALLOWED_URL_NAMES}
            and not request.path_info.startswith(("/static/", "/api/", "/admin/"))
        ):
            if confirmed_device(user=request.user) is not None:
                logout(request)
                return redirect("web:login")
            return redirect("web:second-factor")
        return self.get_response(request)
