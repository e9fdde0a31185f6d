"""Writes on agencies, units, users and memberships."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from docflow.audit.services import event_record
from docflow.core.errors import NotPermitted
from docflow.core.scoping import cross_agency
from docflow.core.services import savepoint, service
from docflow.tenancy.models import Agency, Membership, Role, Unit, User
from docflow.tenancy.passwords import password_check
from docflow.tenancy.selectors import user_belongs_elsewhere

USERNAME_TAKEN = gettext_lazy("Tên đăng nhập này đã có người dùng.")


@service(scope=None)
def agency_upsert(
    *,
    code: str,
    name: str,
    level: str,
    short_name: str = "",
    symbol: str = "UBND",
    parent: Agency | None = None,
    place: str = "",
    require_second_factor: bool | None = None,
) -> tuple[Agency, bool]:
    """Create the agency with ``code`` or bring it up to date; returns (agency, created).
    ``require_second_factor`` None leaves it as it is (a new agency: the configured default)."""
    agency = Agency.objects.filter(code=code).first()
    created = agency is None
    agency = agency or Agency(code=code)
    if require_second_factor is not None:
        agency.require_second_factor = require_second_factor
    agency.name, agency.level, agency.short_name = name, level, short_name
    agency.symbol, agency.parent, agency.place = symbol, parent, place
    agency.full_clean()
    agency.save()
    return agency, created


@service(scope="agency")
def unit_upsert(*, agency: Agency, symbol: str, name: str) -> tuple[Unit, bool]:
    unit = Unit.objects.filter(symbol=symbol).first()
    created = unit is None
    unit = unit or Unit(agency=agency, symbol=symbol)
    unit.name = name
    unit.full_clean()
    unit.save()
    return unit, created


@service(scope="agency")
def member_upsert(
    *,
    actor: Membership | None,
    agency: Agency,
    username: str,
    full_name: str,
    roles: list[str],
    password: str | None = None,
    password_hash: str | None = None,
    unit: Unit | None = None,
    position: str = "",
    email: str = "",
) -> Membership:
    """Create or update a person and their membership in ``agency`` with exactly ``roles``.

    ``actor`` is the agency admin acting (None only for system commands such as the demo
    seed). A new person's initial password passes the validators; an existing person's password
    is never set here (they change it, or get a reset link). The name and e-mail of a person who
    also belongs to another agency, or administers the system, are left as they are.

    A username is one person (the database's unique index decides between two admins creating
    it at once): an admin adding a username that is already another agency's person, or that
    another admin has just created, gets 400 on ``username``; nobody of one agency is placed
    into another by its admin.
    """
    if actor is not None and (actor.agency_id != agency.pk or not actor.has_role(Role.AGENCY_ADMIN)):
        raise NotPermitted(_("Chỉ quản trị đơn vị được thêm, sửa người dùng của cơ quan."))
    user = User.objects.select_for_update().filter(username=username).first()
    if user is not None and actor is not None and _someone_elses(user, agency):
        raise ValidationError({"username": [USERNAME_TAKEN]})
    if user is None:
        user = User(username=username, full_name=full_name, email=email)
        if password_hash and actor is None:
            user.password = password_hash  # hashed once by a bulk caller (demo data)
        elif password:
            password_check(user=user, password=password)
            user.set_password(password)
        elif actor is not None:
            raise ValidationError({"password": _("Đặt mật khẩu ban đầu.")})
        else:
            user.set_unusable_password()
    elif not user_belongs_elsewhere(user=user, agency_id=agency.pk):
        user.full_name, user.email = full_name, email or user.email
    new = user.pk is None
    user.full_clean(validate_unique=not new)  # a new username: the INSERT below is the check
    try:
        with savepoint():
            user.save()
    except IntegrityError:
        if not new:
            raise
        raise ValidationError({"username": [USERNAME_TAKEN]}) from None
    return _membership_set(agency, user, roles, unit, position)


def _someone_elses(user: User, agency: Agency) -> bool:
    """A person of another agency, not (yet) of this one: not this agency admin's to add."""
    with cross_agency("directory"):
        agencies = set(Membership.objects.filter(user=user).values_list("agency_id", flat=True))
    return bool(agencies) and agency.pk not in agencies


def _membership_set(agency, user, roles, unit, position) -> Membership:
    membership = Membership.objects.filter(user=user).first() or Membership(agency=agency, user=user)
    before = (membership.roles, membership.unit_id, membership.position) if membership.pk else None
    membership.unit, membership.position = unit, position
    for role, field in Membership.ROLE_FIELDS.items():
        setattr(membership, field, role.value in roles)
    if before == (membership.roles, membership.unit_id, membership.position):
        return membership  # nothing changed: no write, no event
    membership.full_clean()
    membership.save()
    event_record(
        agency_id=agency.pk, action="membership.saved",
        object_type="membership", object_id=membership.uuid,
        state_before=",".join(before[0])[:32] if before else "", state_after=",".join(membership.roles)[:32],
        data={"username": user.username},
    )
    return membership
