"""Reads about agencies, units and memberships."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from docflow.core.errors import NotPermitted
from docflow.core.search import search_filter
from docflow.tenancy.models import Agency, Membership, Role, User
from docflow.core.scoping import scopes_disabled


def agency_directory(*, search: str = "", level: str = "") -> QuerySet[Agency]:
    """The addressing directory: every active agency (not tenant data), searchable without accents."""
    qs = Agency.objects.filter(is_active=True).select_related("parent")
    qs = search_filter(qs, search)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def agencies_by_codes(*, codes: list[str]) -> dict[str, Agency]:
    return {a.code: a for a in Agency.objects.filter(code__in=codes, is_active=True)}


def memberships_of_user(*, user: User) -> list[Membership]:
    """All of a user's active memberships, across agencies.

    This is the one read that must cross the tenant wall: it decides which scope to open.
    """
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
            .select_related("agency", "agency__parent", "unit")
            # Whether agencies sit below it (the oversight menu), in the same query.
            .annotate(agency_has_below=Exists(
                Agency.objects.filter(parent_id=OuterRef("agency_id"), is_external=False)))
            .order_by("created_at")
        )


def membership_for_request(*, user: User, agency_code: str | None = None) -> Membership:
    """The membership a request acts in: the one named by ``agency_code``, else the first.

    Raises NotPermitted when the user belongs to no agency or not to the named one.
    """
    memberships = memberships_of_user(user=user)
    if agency_code:
        for membership in memberships:
            if membership.agency.code == agency_code:
                return membership
        raise NotPermitted("Bạn không thuộc cơ quan này.")
    if not memberships:
        raise NotPermitted("Tài khoản chưa được gán vào cơ quan nào.")
    return memberships[0]


def members_with_role(*, agency: Agency, role: str) -> QuerySet[Membership]:
    """Active members of ``agency`` holding ``role``; the caller's scope must be that agency."""
    field = Membership.ROLE_FIELDS[Role(role)]
    return (
        Membership.objects.filter(agency=agency, is_active=True, **{field: True})
        .select_related("user", "unit")
        .order_by("user__username")
    )


def user_belongs_elsewhere(*, user: User, agency_id: int) -> bool:
    """Whether the person also belongs to another agency, or administers the system: then their
    own account fields are not one agency admin's to change."""
    if user.is_staff or user.is_superuser:
        return True
    with scopes_disabled():
        return Membership.objects.filter(user=user).exclude(agency_id=agency_id).exists()
