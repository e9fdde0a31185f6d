"""A certificate authority made in the test run, and keys for an office's leader and agency."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image

from docflow.documents.signing.authority import (
    Authority,
    authority_make,
    certificate_issue,
    pkcs12_make,
)
from docflow.documents.signing.services import (
    credential_image_set,
    credential_set_pkcs12,
)
from tests.factories import MembershipFactory

PASSWORD = "mat-khau-p12"


@dataclass
class Pki:
    authority: Authority
    folder: object
    issued: dict = field(default_factory=dict)  # common name -> (key, certificate)

    def p12(self, common_name: str, *, organisation: str = "", **kwargs) -> bytes:
        key, cert = certificate_issue(self.authority, common_name=common_name,
                                      organisation=organisation, **kwargs)
        self.issued[common_name] = (key, cert)
        return pkcs12_make(key, cert, self.authority, password=PASSWORD)

    def keys_for(self, office, *, images: bool = False, **kwargs) -> None:
        """A PKCS#12 key for the office's leader and one for its agency (given by its admin)."""
        admin = MembershipFactory(agency=office.agency, admin=True)
        leader_name = office.leader.user.get_full_name()
        credential_set_pkcs12(actor=admin, user_id=office.leader.user_id,
                              data=self.p12(leader_name, **kwargs), password=PASSWORD)
        credential_set_pkcs12(actor=admin, user_id=None, password=PASSWORD,
                              data=self.p12(office.agency.name, organisation=office.agency.name))
        if images:
            credential_image_set(actor=admin, user_id=office.leader.user_id, png=png((20, 40, 170)))
            credential_image_set(actor=admin, user_id=None, png=png((200, 20, 20), seal=True))


def png(color: tuple[int, int, int], *, seal: bool = False) -> bytes:
    """A transparent PNG: a ring for a seal, a stroke for a signature."""
    from PIL import ImageDraw

    size = (300, 300) if seal else (400, 140)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if seal:
        draw.ellipse((10, 10, 290, 290), outline=(*color, 255), width=14)
        draw.ellipse((70, 70, 230, 230), outline=(*color, 255), width=6)
    else:
        draw.line([(20, 110), (120, 30), (200, 100), (300, 25), (380, 90)], fill=(*color, 255), width=9)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pki_make(tmp_path, settings) -> Pki:
    folder = tmp_path / "trust-roots"
    folder.mkdir()
    authority = authority_make(name="Docflow test CA")
    (folder / "test-ca.pem").write_bytes(authority.certificate.public_bytes(Encoding.PEM))
    settings.DOCFLOW_TRUST_ROOTS = folder
    settings.DOCFLOW_REVOCATION_FETCH = False
    return Pki(authority=authority, folder=folder)
