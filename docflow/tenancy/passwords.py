"""A person's password: changed by themselves, or set again through a one-time link that an
agency admin issues. Every new password passes Django's password validators."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from docflow.audit.services import EventSpec, event_record, events_record
from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.core.services import service
from docflow.tenancy.models import Membership, Role, User
from docflow.tenancy.selectors import memberships_of_user, user_belongs_elsewhere

log = logging.getLogger(__name__)
# The token hashes the password and last login: it stops working once used, or after
# PASSWORD_RESET_TIMEOUT.
reset_tokens = PasswordResetTokenGenerator()


@dataclass(frozen=True)
class ResetLink:
    """What the admin is told: the link (empty when only the person's mailbox may see it)."""

    url: str
    emailed_to: str
    username: str


def reset_urls(users) -> list[str]:
    """Each user's one-time address of the page that sets a new password (the page's address
    is worked out once, then filled per person: reverse() per person costs more than the rest)."""
    template = settings.DOCFLOW_SITE_URL.rstrip("/") + reverse(
        "web:password-reset", kwargs={"uidb64": "UIDB64", "token": "TOKEN"})
    return [template.replace("UIDB64", urlsafe_base64_encode(force_bytes(user.pk)))
            .replace("TOKEN", reset_tokens.make_token(user)) for user in users]


def password_check(*, user: User, password: str, field: str = "password") -> None:
    """Django's validators, their messages under ``field``."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


@service(scope="membership")
def password_change(*, membership: Membership, old_password: str, new_password: str) -> User:
    """The person changes their own password; the current one must be given."""
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("Mật khẩu hiện tại không đúng.")})
    password_check(user=user, password=new_password, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record_in_every_agency(user, action="user.password_changed")
    return user


@service
def password_reset_issue(*, actor: Membership, membership_id: UUID) -> ResetLink:
    """An agency admin issues a one-time link to set a new password for a member of their
    agency (another agency's member: NotFound). A person who also belongs elsewhere gets the
    link only in their own mailbox, so one agency's admin cannot take over a shared account."""
    if not actor.has_role(Role.AGENCY_ADMIN):
        raise NotPermitted(_("Chỉ quản trị đơn vị được đặt lại mật khẩu."))
    member = Membership.objects.select_related("user").filter(uuid=membership_id).first()
    if member is None:
        raise NotFound(_("Không có người dùng này trong cơ quan."))
    user = member.user
    if user.is_staff or user.is_superuser:
        raise NotPermitted(_("Mật khẩu của quản trị hệ thống chỉ đặt lại được ở trang quản trị hệ thống."))
    if not user.is_active or not member.is_active:
        raise NotPermitted(_("Tài khoản này đã bị khóa."))
    shared = user_belongs_elsewhere(user=user, agency_id=actor.agency_id)
    if shared and not user.email:
        raise NotPermitted(_("Người này thuộc cả cơ quan khác và chưa có email: "
                             "liên hệ quản trị hệ thống để đặt lại mật khẩu."))
    [url] = reset_urls([user])
    event_record(
        agency_id=actor.agency_id, action="membership.password_reset_issued",
        object_type="membership", object_id=member.uuid,
        data={"username": user.username, "emailed": bool(user.email), "shown": not shared},
    )
    if user.email:
        transaction.on_commit(lambda: _reset_email_send(user=user, url=url, agency_name=actor.agency.name))
    return ResetLink(url="" if shared else url, emailed_to=user.email, username=user.username)


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The person a reset link names, when its token is still good."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if reset_tokens.check_token(user, token) else None


@service(scope=None)
def password_reset_complete(*, uidb64: str, token: str, new_password: str) -> User:
    """Set the new password through a reset link; the link works once."""
    user = password_reset_user(uidb64=uidb64, token=token)
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
    # Checked again under the row lock: two submissions of one link set the password once.
    if user is None or not reset_tokens.check_token(user, token):
        raise InvalidState(_("Liên kết đặt lại mật khẩu đã được dùng hoặc đã hết hạn."), state="expired")
    password_check(user=user, password=new_password, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record_in_every_agency(user, action="user.password_reset")
    return user


def record_in_every_agency(user: User, *, action: str, data: dict | None = None) -> None:
    """One audit event about the person in each agency they belong to."""
    events_record(events=[
        EventSpec(agency_id=m.agency_id, action=action, object_type="membership", object_id=m.uuid,
                  actor_id=user.pk, data={"username": user.username, **(data or {})})
        for m in memberships_of_user(user=user)
    ])


def _reset_email_send(*, user: User, url: str, agency_name: str) -> None:
    context = {"name": user.get_full_name(), "url": url, "agency_name": agency_name,
               "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
    try:
        send_mail(
            subject=_("[Docflow] Đặt lại mật khẩu"),
            message=render_to_string("web/account/password_reset_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[user.email],
        )
    except OSError:
        # The admin was told the link was sent; a mail outage means issuing it again later.
        log.exception("password reset email to user %s failed", user.pk)
