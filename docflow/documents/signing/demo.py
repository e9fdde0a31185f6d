"""Demo keys so that ``make demo`` signs out of the box: a demo CA (named as such, never for real
use) in the trust roots folder, a PKCS#12 key and a signature image for every leader, and a key
and a seal image for every agency. Safe to run again: what exists is kept."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db import transaction

from docflow.core.scoping import cross_agency
from docflow.documents.files import stored_file_put_bytes
from docflow.documents.signing.authority import (
    Authority,
    authority_make,
    certificate_issue,
    pkcs12_make,
)
from docflow.documents.signing.credentials import seal
from docflow.documents.signing.models import CredentialKind, SigningCredential
from docflow.rendering.typeface import FONT_DIR
from docflow.tenancy.models import Agency, Membership

CA_FILE = "docflow-demo-ca.pem"
KEY_FILE = "docflow-demo-ca.key"


def demo_authority(trust_roots: Path) -> Authority:
    """The demo CA, made once and kept beside the trust roots (its key outside that folder)."""
    from cryptography import x509

    trust_roots.mkdir(parents=True, exist_ok=True)
    key_path = trust_roots.parent / KEY_FILE
    cert_path = trust_roots / CA_FILE
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return Authority(key=key, certificate=x509.load_pem_x509_certificate(cert_path.read_bytes()))
    authority = authority_make()
    key_path.write_bytes(authority.key.private_bytes(
        Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(authority.pem)
    return authority


def _png(draw_fn, size) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw_fn(ImageDraw.Draw(image))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def signature_png(name: str) -> bytes:
    """A blue hand-written-looking stroke with the signer's last name."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Italic.ttf"), 54)

    def draw(d) -> None:
        d.text((30, 20), name.split()[-1] if name.split() else "Ký", font=font, fill=(20, 50, 170, 255))
        d.line([(20, 105), (140, 85), (260, 110), (380, 80)], fill=(20, 50, 170, 255), width=5)
    return _png(draw, (420, 140))


def seal_png(agency_name: str) -> bytes:
    """A red round seal: two rings, a star and the agency's name across."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Bold.ttf"), 26)
    red = (200, 20, 20, 235)
    words = agency_name.upper().split()
    lines = [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2:])]

    def draw(d) -> None:
        d.ellipse((8, 8, 392, 392), outline=red, width=12)
        d.ellipse((40, 40, 360, 360), outline=red, width=4)
        d.regular_polygon((200, 120, 40), 5, rotation=54, fill=red)
        for i, line in enumerate(lines):
            d.text((200, 215 + i * 36), line, font=font, fill=red, anchor="mm")
    return _png(draw, (400, 400))


def _credential(authority: Authority, *, agency: Agency, user_id: int | None, name: str, image: bytes):
    key, cert = certificate_issue(authority, common_name=name, organisation=agency.name, days=3650)
    password = secrets.token_urlsafe(12)
    SigningCredential.objects.create(
        agency=agency, user_id=user_id, kind=CredentialKind.PKCS12,
        certificate_der=cert.public_bytes(Encoding.DER),
        p12_encrypted=seal(pkcs12_make(key, cert, authority, password=password)),
        p12_password_encrypted=seal(password.encode()),
        image=stored_file_put_bytes(data=image, content_type="image/png"),
    )


def demo_signing_seed() -> int:
    """Give every agency and every leader without a key a demo one; returns how many were made."""
    authority = demo_authority(Path(settings.DOCFLOW_TRUST_ROOTS))
    made = 0
    # The seed's batch, not a service: every agency's and leader's demo key in one transaction.
    with cross_agency("system"), transaction.atomic():
        have = set(SigningCredential.objects.values_list("agency_id", "user_id"))
        for agency in Agency.objects.filter(is_active=True, is_external=False):
            if (agency.pk, None) not in have:
                _credential(authority, agency=agency, user_id=None, name=agency.name, image=seal_png(agency.name))
                made += 1
        leaders = Membership.objects.filter(is_leader=True, is_active=True).select_related("user")
        for member in leaders:
            if (member.agency_id, member.user_id) not in have:
                name = member.user.get_full_name() or member.user.username
                _credential(authority, agency=member.agency, user_id=member.user_id, name=name,
                            image=signature_png(name))
                made += 1
    return made
