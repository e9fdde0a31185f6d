"""The agency's key on a token (SoftHSM2 through pyHanko's PKCS#11 signer) signs at issue.

Runs in the PostgreSQL pass; scripts/test.sh installs softhsm2 when it is missing."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding

from docflow.documents.files import stored_file_open
from docflow.documents.signing.authority import certificate_issue
from docflow.documents.signing.services import (
    credential_set_pkcs11,
    credential_set_pkcs12,
)
from docflow.documents.signing.validation import load_certificates, validate_pdf
from docflow.core.scoping import cross_agency
from tests.documents.story import issued, sending_office
from tests.factories import MembershipFactory
from tests.signing.pki import PASSWORD

pytestmark = pytest.mark.postgres

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "246810"


@pytest.fixture
def token(tmp_path, monkeypatch):
    """A fresh SoftHSM2 token in a temporary folder (its own configuration file)."""
    if shutil.which("softhsm2-util") is None:
        pytest.fail("softhsm2 is not installed (scripts/test.sh installs it)")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    monkeypatch.setenv("DOCFLOW_TEST_TOKEN_PIN", PIN)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "docflow", "--pin", PIN,
                    "--so-pin", PIN], check=True, capture_output=True)
    return tmp_path


def test_agency_key_on_a_token_signs_at_issue(pki, token):
    office = sending_office()
    admin = MembershipFactory(agency=office.agency, admin=True)
    credential_set_pkcs12(actor=admin, user_id=office.leader.user_id, password=PASSWORD,
                          data=pki.p12(office.leader.user.get_full_name()))
    key, cert = certificate_issue(
        pki.authority, common_name=office.agency.name, organisation=office.agency.name)
    key_file = token / "agency.pem"
    key_file.write_bytes(key.private_bytes(Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(key_file), "--token", "docflow", "--label", "agency",
                    "--id", "01", "--pin", PIN], check=True, capture_output=True)
    credential_set_pkcs11(actor=admin, user_id=None, module=MODULE, token_label="docflow", key_label="agency",
                          pin_env="DOCFLOW_TEST_TOKEN_PIN", certificate=cert.public_bytes(Encoding.PEM))

    document = issued(office)
    with cross_agency("system"):  # the test reads outside any scope
        document.refresh_from_db()

    with stored_file_open(sha256=document.pdf_sha256) as fh:
        results = validate_pdf(fh.read(), trust_roots=load_certificates(pki.folder))
    assert [(r["kind"], r["valid"], r["trusted"], r["signer"]) for r in results] == [
        ("personal", True, True, office.leader.user.get_full_name()),
        ("agency", True, True, office.agency.name),
    ]
