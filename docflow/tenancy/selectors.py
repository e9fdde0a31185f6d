"""Reads about agencies, units and memberships."""

from __future__ import annotations

from django.db import connection, models
from django.db.models import QuerySet

from docflow.core.db.joined import JoinedRead
from docflow.core.errors import NotPermitted
from docflow.core.search import search_filter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from docflow.tenancy.models import Agency, Membership, Role, Unit, User
from docflow.core.scoping import agency_scope, cross_agency

# No real structure is deeper (ministry → province → department → unit…); a longer chain is a cycle.
MAX_DEPTH = 16


def agency_directory(*, search: str = "", level: str = "") -> QuerySet[Agency]:
    """The addressing directory: every active agency (not tenant data), searchable without accents."""
    qs = Agency.objects.filter(is_active=True).select_related("parent")
    qs = search_filter(qs, search)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def agencies_for_codes(
    *, codes: Iterable[str], internal_only: bool = False, queryset: QuerySet[Agency] | None = None,
) -> dict[str, Agency]:
    """The one lookup of addressees by identifier code: each code to the active agency that now
    answers it — its own, or the successor's when the code is an old one (``AgencyAlias``, left by
    a merger). Two queries whatever the number of codes; unknown codes are left out. The caller
    compares ``agency.code`` with the code it asked for to tell the sender the new code."""
    codes = list(dict.fromkeys(codes))
    base = queryset if queryset is not None else Agency.objects.all()
    if internal_only:
        base = base.filter(is_external=False)
    found = {a.code: a for a in base.filter(code__in=codes, is_active=True)}
    missing = [c for c in codes if c not in found]
    if missing:
        successors = base.filter(is_active=True, aliases__code__in=missing).annotate(
            alias_code=models.F("aliases__code")
        )
        with cross_agency("directory"):  # the old codes are every agency's
            found.update({a.alias_code: a for a in successors})
    return found


def agency_ancestors(*, agency: Agency) -> list[Agency]:
    """The agency's parent, its parent's parent and so on, nearest first, at any depth (one
    query per level; a cycle stops the walk)."""
    chain: list[Agency] = []
    seen = {agency.pk}
    parent_id = agency.parent_id
    while parent_id and parent_id not in seen and len(chain) < MAX_DEPTH:
        parent = Agency.objects.get(pk=parent_id)
        chain.append(parent)
        seen.add(parent.pk)
        parent_id = parent.parent_id
    return chain


def agency_lineage_ids(*, agency_id: int) -> list[int]:
    """The agency and every agency merged into it, directly or through an earlier merger (its
    predecessors, whose history it keeps), the agency first."""
    ids, frontier = [agency_id], [agency_id]
    while frontier and len(ids) < 10_000:
        frontier = [
            pk for pk in Agency.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
            if pk not in ids
        ]
        ids.extend(frontier)
    return ids


@contextmanager
def agency_history_scope(*, agency_id: int) -> Iterator[None]:
    """For reads only: the scope of the agency together with its predecessors, so that the
    successor of a merger finds their closed history. Writes stay in the agency's own scope."""
    lineage = agency_lineage_ids(agency_id=agency_id)
    with agency_scope(lineage if len(lineage) > 1 else agency_id):
        yield


# Where a request's user carries its memberships once they were read with it (the API's token
# lookup reads them in the same query): ``memberships_of_user`` answers from there, no query.
MEMBERSHIPS_READ = "_docflow_memberships"


def memberships_remember(*, user: User, memberships: list[Membership]) -> None:
    """Keep ``memberships`` (exactly what ``memberships_of_user`` would read, in its order) on
    this ``user`` object for the rest of the request it was loaded for."""
    setattr(user, MEMBERSHIPS_READ, list(memberships))


# A user's memberships as one statement reads them: one membership a row (LEFT JOIN: a user
# in no agency still gets its one row) with its agency, the agency above and the unit, and last
# whether agencies sit below it (the oversight menu). Anchored on the user ``u``: the API's
# token lookup joins the same to its token (docflow.api.tokens). Parameters: False (external),
# True (active), then the tail's own.
MEMBERSHIP_PARTS = (("m", Membership), ("a", Agency), ("p", Agency), ("n", Unit))
MEMBERSHIP_BELOW = "EXISTS (SELECT 1 FROM {tenancy_agency} b WHERE b.{parent_id} = m.{agency_id} AND b.{is_external} = %s)"
MEMBERSHIP_JOINS = """
    LEFT JOIN {tenancy_membership} m ON m.{user_id} = u.{id} AND m.{is_active} = %s
    LEFT JOIN {tenancy_agency} a ON a.{id} = m.{agency_id}
    LEFT JOIN {tenancy_agency} p ON p.{id} = a.{parent_id}
    LEFT JOIN {tenancy_unit} n ON n.{id} = m.{unit_id}
"""
MEMBERSHIP_ORDER = " ORDER BY m.{created_at}, m.{id}"
_MEMBERSHIPS = JoinedRead(MEMBERSHIP_PARTS, extra=MEMBERSHIP_BELOW,
                          tail="FROM {tenancy_user} u" + MEMBERSHIP_JOINS + "WHERE u.{id} = %s" + MEMBERSHIP_ORDER)


def memberships_assembled(*, user: User, rows: Iterable[tuple[Sequence, object]]) -> list[Membership]:
    """The active memberships of active agencies, in the rows' order, from each row's
    (membership, agency, parent, unit) instances and its ``agency_has_below``, related to
    ``user`` and to each other as ``select_related`` would relate them."""
    memberships = []
    for (membership, agency, parent, unit), below in rows:
        if membership is None or not agency.is_active:
            continue
        agency.parent = parent
        membership.user, membership.agency, membership.unit = user, agency, unit
        membership.agency_has_below = bool(below)
        memberships.append(membership)
    return memberships


def memberships_of_user(*, user: User) -> list[Membership]:
    """All of a user's active memberships of active agencies, across agencies, oldest first.

    This is the one read that must cross the tenant wall: it decides which scope to open.
    A user object loaded by the API's token lookup brings them along, and the web's scope
    middleware keeps what it read on the request's user (``memberships_remember``).
    """
    if not user.is_authenticated:
        return []
    read = getattr(user, MEMBERSHIPS_READ, None)
    if read is not None:
        return list(read)
    # One statement written once (docflow.core.db.joined): the ORM spent longer building and
    # compiling this read of four models than PostgreSQL spent answering it.
    with cross_agency("directory"), connection.cursor() as cursor:
        cursor.execute(_MEMBERSHIPS.sql(), [False, True, user.pk])
        rows = cursor.fetchall()
    return memberships_assembled(user=user, rows=((_MEMBERSHIPS.instances(row), row[-1]) for row in rows))


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
    with cross_agency("directory"):
        return Membership.objects.filter(user=user).exclude(agency_id=agency_id).exists()


def units_list(*, active_only: bool = False) -> list[Unit]:
    """The scoped agency's units by name (only the active ones when asked)."""
    units = Unit.objects.order_by("name")
    return list(units.filter(is_active=True) if active_only else units)


def members_active() -> list[Membership]:
    """Active members of the scoped agency, by unit then name: the people a form offers."""
    return list(
        Membership.objects.filter(is_active=True, user__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__name", "user__full_name", "user__username")
    )


def member_by_username(*, username: str) -> Membership | None:
    """The scoped agency's member with ``username`` (with user and unit), or None."""
    return Membership.objects.select_related("user", "unit").filter(user__username=username).first()


def member_by_id(*, member_id) -> Membership | None:
    """The scoped agency's member with this public id (with user), or None."""
    return Membership.objects.select_related("user").filter(uuid=member_id).first()


def agencies_with_codes(*, codes: list[str]) -> list[Agency]:
    """The agencies named by ``codes``, active or not (what a document names stays named)."""
    return list(Agency.objects.filter(code__in=codes)) if codes else []


def agency_superiors(*, agency: Agency) -> list[Agency]:
    """Our parent and its parents, nearest first, at any depth: active agencies inside Docflow."""
    return [a for a in agency_ancestors(agency=agency) if a.is_active and not a.is_external]
