"""Open the agency scope for web requests; the API opens its own after authentication."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from docflow.core.errors import NotPermitted
from docflow.core.scoping import agency_scope, cross_agency
from docflow.tenancy.selectors import membership_for_request, memberships_of_user, memberships_remember

SESSION_AGENCY_KEY = "docflow_agency_code"


class AgencyScopeMiddleware:
    """Session users act inside one agency; the Django admin works across agencies."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.agency = None
        request.membership = None
        path = request.path_info
        if path.startswith("/admin/"):
            # The admin is for system administrators only (is_staff checked by the admin itself).
            with cross_agency("system"):
                return self.get_response(request)
        if path.startswith("/api/") or not request.user.is_authenticated:
            return self.get_response(request)
        # Read once for the request: the page's agency menu reads them again from the user.
        memberships_remember(user=request.user, memberships=memberships_of_user(user=request.user))
        try:
            membership = membership_for_request(
                user=request.user, agency_code=request.session.get(SESSION_AGENCY_KEY)
            )
        except NotPermitted:
            # A stale choice (membership ended) falls back to the user's first agency.
            request.session.pop(SESSION_AGENCY_KEY, None)
            try:
                membership = membership_for_request(user=request.user)
            except NotPermitted:
                return self.get_response(request)
        request.agency = membership.agency
        request.membership = membership
        with agency_scope(membership.agency):
            return self.get_response(request)
