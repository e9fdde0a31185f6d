"""The second factor: a TOTP authenticator app (django-otp) and ten one-time recovery codes.

A leader or agency admin of an agency with ``require_second_factor`` must enrol before doing
anything else; anyone with a confirmed device gives a code after the password, on the web and
for an API token. Recovery codes are shown once, kept only as SHA-256 (they are long random
strings, so a plain hash is enough) and each works once.
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from docflow.core.services import service
from docflow.tenancy.models import Membership, RecoveryCode, Role, User
from docflow.tenancy.passwords import record_in_every_agency

# Set in the session once the person gave a code (or enrolled) when signing in to it.
SESSION_VERIFIED_KEY = "docflow_second_factor_ok"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I to misread
DEVICE_NAME = "Ứng dụng xác thực"


def second_factor_required(*, membership: Membership) -> bool:
    """Whether this membership's agency makes this person use a second factor."""
    return membership.agency.require_second_factor and membership.has_role(Role.LEADER, Role.AGENCY_ADMIN)


def confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (made on first call; the secret stays the same
    until it is confirmed, so reloading the page does not break a half-scanned code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _normalise(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


@service(scope=None)
def enrolment_confirm(*, user: User, code: str) -> list[str] | None:
    """Confirm the device being enrolled with a code from the app. Returns the new recovery
    codes (the only time they exist in clear), or None when the code is wrong. Any earlier
    device and recovery codes are replaced."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_normalise(code)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    record_in_every_agency(user, action="user.second_factor_enrolled")
    return codes


def recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new recovery codes replace the old ones; returned in clear, stored hashed."""
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(c)) for c in codes])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@service(scope=None)
def second_factor_verify(*, user: User, code: str) -> bool:
    """A code from the user's confirmed device, or one unused recovery code (then used up)."""
    code = _normalise(code or "")
    if not code:
        return False
    if code.isdigit():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        return device is not None and device.verify_token(code)
    used = RecoveryCode.objects.filter(
        user=user, digest=_digest(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if used:
        record_in_every_agency(user, action="user.recovery_code_used")
    return bool(used)
