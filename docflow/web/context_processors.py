"""What every page's frame needs: the person's agencies (switcher), roles (menu) and unread count."""

from __future__ import annotations

from django.http import HttpRequest

from docflow.notifications.selectors import unread_count
from docflow.tenancy.selectors import memberships_of_user


def web(request: HttpRequest) -> dict:
    membership = getattr(request, "membership", None)
    if membership is None or request.path_info.startswith(("/api/", "/admin/")):
        return {}
    return {
        "my_memberships": memberships_of_user(user=request.user),
        "my_roles": set(membership.roles),
        "unread_notifications": unread_count(user_id=request.user.pk),
    }
