"""Template views. Thin: they call selectors and services and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from docflow.audit.selectors import recent_events
from docflow.notifications.selectors import unread_count
from docflow.tenancy.middleware import SESSION_AGENCY_KEY
from docflow.tenancy.selectors import memberships_of_user


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.membership is None:
        return render(request, "web/no_agency.html", status=403)
    return render(
        request,
        "web/dashboard.html",
        {
            "memberships": memberships_of_user(user=request.user),
            "events": recent_events(limit=15),
            "unread": unread_count(user_id=request.user.pk),
        },
    )


@login_required
@require_POST
def switch_agency(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("agency", "")
    if any(m.agency.code == code for m in memberships_of_user(user=request.user)):
        request.session[SESSION_AGENCY_KEY] = code
    return redirect("web:dashboard")
