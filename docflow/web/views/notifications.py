"""The bell, the list of notifications, and how each kind reaches the person."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from docflow.notifications.selectors import (
    notification_kinds_of_user,
    notification_preferences_of_user,
    notifications_for_user,
    unread_count,
)
from docflow.notifications.services import (
    notification_mark_read,
    notification_preference_set,
    notifications_mark_read,
)
from docflow.web.forms.notifications import PreferencesForm
from docflow.web.notification_kinds import KIND_LABELS, notification_link
from docflow.web.views.common import member_required, perform

PAGE_SIZE = 30


@member_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for_user(user_id=request.user.pk), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    return render(request, "web/notifications/list.html", {"page": page, "nav": "notifications"})


@member_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for htmx to refresh the count now and then."""
    return render(
        request, "web/notifications/_bell.html", {"count": unread_count(user_id=request.user.pk)}
    )


@member_required
@require_http_methods(["GET", "POST"])  # GET: the link in an email
def notification_open(request: HttpRequest, notification_id) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    notification = notification_mark_read(recipient_id=request.user.pk, notification_id=notification_id)
    return redirect(notification_link(notification) or "web:notifications")


@member_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_mark_read(recipient_id=request.user.pk)
    messages.success(request, _("Đã đánh dấu %(n)d thông báo là đã đọc.") % {"n": marked})
    return redirect("web:notifications")


@member_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    saved = notification_preferences_of_user(user_id=request.user.pk)
    received = notification_kinds_of_user(user_id=request.user.pk)
    kinds = sorted(set(KIND_LABELS) | received | set(saved))
    form = PreferencesForm(request.POST or None, kinds=kinds, saved=saved)
    if request.method == "POST" and form.is_valid():

        def save() -> str:
            for kind, in_app, email, digest in form.choices():
                notification_preference_set(
                    agency_id=request.agency.pk, user_id=request.user.pk, kind=kind,
                    in_app=in_app, email=email, digest=digest,
                )
            messages.success(request, _("Đã lưu cài đặt thông báo."))
            return reverse("web:notification-preferences")

        response = perform(request, form, action=save, fallback=reverse("web:notification-preferences"))
        if response is not None:
            return response
    return render(
        request, "web/notifications/preferences.html", {"form": form, "nav": "notifications"}
    )
