"""API tokens of our own: hashed at rest, one per sign-in, with a fixed expiry.

A key is 40 random hex characters, as DRF's were, so clients send ``Authorization: Token <key>``
unchanged. The database keeps its SHA-256 and its first 8 characters; authenticating a request is
one query on the digest's unique index: the token joined to its user and to the user's active
memberships with their agencies (and the agency above, the unit), which the request needs next
to choose its agency and open the scope, plus an update of ``last_used_at`` at most once a
minute. A token stops working when it expires (``DOCFLOW_TOKEN_DAYS`` after it was made, not
extended by use), when its owner revokes it, when the owner's password changes (the token
carries a mark of the password it was issued under) and when one of the owner's memberships ends
(``tokens_revoke_all`` from the membership's end, see ``docflow/api/apps.py``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from docflow.api.models import ApiToken
from docflow.tenancy.models import User
from docflow.tenancy.passwords import record_in_every_agency
from docflow.core.db import prepared_cursor
from docflow.core.db.joined import JoinedRead
from docflow.core.scoping import rls_purpose
from docflow.core.services import savepoint, service
from docflow.tenancy.selectors import (
    MEMBERSHIP_BELOW,
    MEMBERSHIP_JOINS,
    MEMBERSHIP_ORDER,
    MEMBERSHIP_PARTS,
    memberships_assembled,
    memberships_remember,
)

KEY_CHARS = 40
PREFIX_CHARS = 8
LAST_USED_EVERY = timedelta(minutes=1)
DEVICE_CHARS = 120


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_mark(user: User) -> str:
    """Changes whenever the user's password does (Django's session check works the same way)."""
    return salted_hmac("docflow.api.tokens", user.password, algorithm="sha256").hexdigest()


@service(scope=None)
def token_issue(*, user: User, device: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is shown once and never
    stored. Guarantees a prefix no other token has; the sign-in is in the audit log."""
    now = timezone.now()
    for _attempt in range(5):
        key = secrets.token_hex(KEY_CHARS // 2)
        try:
            with savepoint():
                token = ApiToken.objects.create(
                    prefix=key[:PREFIX_CHARS], digest=key_digest(key), user=user,
                    device=device[:DEVICE_CHARS], password_mark=password_mark(user),
                    created_at=now, last_used_at=now,
                    expires_at=now + timedelta(days=settings.DOCFLOW_TOKEN_DAYS),
                )
        except IntegrityError:
            continue  # the same 8-character prefix as another token: draw again
        record_in_every_agency(user, action="user.token_issued", data={"prefix": token.prefix,
                                                                         "device": token.device})
        return token, key
    raise RuntimeError("could not draw a token prefix")


def token_valid(token: ApiToken, *, now=None) -> bool:
    now = now or timezone.now()
    return token.expires_at > now and constant_time_compare(token.password_mark, password_mark(token.user))


def tokens_of_user(*, user: User) -> list[ApiToken]:
    """The owner's tokens that still work, newest first."""
    now = timezone.now()
    return [t for t in ApiToken.objects.filter(user=user, expires_at__gt=now).select_related("user")
            if token_valid(t, now=now)]


@service(scope=None)
def token_revoke(*, user: User, prefix: str) -> bool:
    """Revoke the owner's token with ``prefix``; False when ``user`` has none such."""
    deleted, _ = ApiToken.objects.filter(user=user, prefix=prefix).delete()
    if deleted:
        record_in_every_agency(user, action="user.token_revoked", data={"prefix": prefix})
    return bool(deleted)


def tokens_revoke_all(*, user_id: int) -> int:
    """Every token of the person ends (logout ``?all=1``, a membership ended, the person locked)."""
    deleted, _ = ApiToken.objects.filter(user_id=user_id).delete()
    return deleted


# The one query of an authenticated request: the token, its user, then the user's memberships
# as ``memberships_of_user`` reads them (tenancy.selectors: the same joins and order). Prepared:
# PostgreSQL plans its six joined tables once per connection, not each request (0.8 ms of
# planning for 0.1 ms of work; docs/RUNTIME.md "Prepared statements").
_LOOKUP = JoinedRead(
    (("t", ApiToken), ("u", User), *MEMBERSHIP_PARTS), extra=MEMBERSHIP_BELOW,
    tail="FROM {api_apitoken} t JOIN {tenancy_user} u ON u.{id} = t.{user_id}" + MEMBERSHIP_JOINS
         + "WHERE t.{digest} = %s" + MEMBERSHIP_ORDER,
)


def token_lookup(key: str) -> ApiToken | None:
    """The token of ``key`` with its user, the user carrying its active memberships (read by
    ``memberships_of_user`` without another query); None when no token has that digest."""
    # Before an agency is chosen: the user's memberships in every agency (directory).
    with rls_purpose("directory"), prepared_cursor(connection) as cursor:
        cursor.execute(_LOOKUP.sql(), [False, True, key_digest(key)])
        rows = [(_LOOKUP.instances(row), row[-1]) for row in cursor.fetchall()]
    if not rows:
        return None
    token, user = rows[0][0][:2]
    token.user = user
    memberships = memberships_assembled(user=user, rows=((found[2:], below) for found, below in rows))
    memberships_remember(user=user, memberships=memberships)
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` against the hashed tokens."""

    model = ApiToken

    def authenticate_credentials(self, key):
        if len(key) != KEY_CHARS:
            raise exceptions.AuthenticationFailed(_("Token không hợp lệ."))
        token = token_lookup(key)
        now = timezone.now()
        if token is None or not token_valid(token, now=now):
            raise exceptions.AuthenticationFailed(_("Token không hợp lệ hoặc đã hết hạn."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Tài khoản này đã bị khóa."))
        if now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token
