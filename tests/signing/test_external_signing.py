"""The leader signs with a key the server never sees: prepare hands out the digest, the test
computes the CMS signature itself, submit embeds it; stale or mismatched signatures get 400."""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign import signers

from docflow.core.scoping import cross_agency
from docflow.documents.approval import document_submit
from docflow.documents.files import stored_file_open
from docflow.documents.signing.authority import certificate_issue, pkcs12_make
from docflow.documents.signing.models import SigningRequest
from docflow.documents.signing.services import (
    credential_set_external,
    credential_set_pkcs12,
)
from docflow.documents.signing.validation import load_certificates, validate_pdf
from tests.documents.story import draft, sending_office
from tests.factories import MembershipFactory
from tests.signing.pki import PASSWORD

OUTGOING = "/api/v1/outgoing/"


@pytest.fixture
def story(pki, client_for):
    """A leader whose key is on a token at home: the server holds only the certificate."""
    office = sending_office()
    admin = MembershipFactory(agency=office.agency, admin=True)
    key, cert = certificate_issue(pki.authority, common_name=office.leader.user.get_full_name())
    credential_set_external(actor=admin, user_id=office.leader.user_id,
                            certificate=cert.public_bytes(Encoding.PEM))
    credential_set_pkcs12(actor=admin, user_id=None, password=PASSWORD,
                          data=pki.p12(office.agency.name, organisation=office.agency.name))
    document = draft(office)
    document_submit(actor=office.staff, document_id=document.pk)
    token = signers.SimpleSigner.load_pkcs12_data(
        pkcs12_make(key, cert, pki.authority, password=PASSWORD), passphrase=PASSWORD.encode(), other_certs=())
    return office, document, token, client_for(office.leader)


def _cms(token, digest_b64: str) -> str:
    cms = asyncio.run(token.async_sign(base64.b64decode(digest_b64), "sha256", use_pades=True))
    return base64.b64encode(cms.dump()).decode()


def test_external_round_trip_approves_and_issue_adds_the_agency_signature(story, pki, client_for):
    office, document, token, leader = story
    url = f"{OUTGOING}{document.pk}/signing/"

    assert leader.post(f"{OUTGOING}{document.pk}/approve/").status_code == 400  # approve points here
    prepared = leader.post(url + "prepare/").json()
    assert prepared["algorithm"] == "sha256" and prepared["expires_at"]
    answer = leader.post(url + "submit/", {"request_id": prepared["request_id"],
                                           "cms": _cms(token, prepared["digest"])}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == "approved"

    issued = client_for(office.clerk).post(f"{OUTGOING}{document.pk}/issue/")
    assert issued.status_code == 200, issued.json()
    with cross_agency("system"):
        document.refresh_from_db()
    with stored_file_open(sha256=document.pdf_sha256) as fh:
        results = validate_pdf(fh.read(), trust_roots=load_certificates(pki.folder))
    assert [(r["kind"], r["valid"], r["trusted"]) for r in results] == [
        ("personal", True, True), ("agency", True, True)]


def test_a_signature_over_another_digest_is_refused(story):
    _office, document, token, leader = story
    url = f"{OUTGOING}{document.pk}/signing/"
    prepared = leader.post(url + "prepare/").json()
    wrong = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()

    answer = leader.post(url + "submit/", {"request_id": prepared["request_id"], "cms": _cms(token, wrong)},
                         format="json")

    assert answer.status_code == 400 and "cms" in answer.json()
    assert leader.get(f"{OUTGOING}{document.pk}/").json()["state"] == "pending_approval"


def test_a_stale_request_is_refused(story):
    _office, document, token, leader = story
    url = f"{OUTGOING}{document.pk}/signing/"
    prepared = leader.post(url + "prepare/").json()
    with cross_agency("system"):
        SigningRequest.objects.filter(pk=prepared["request_id"]).update(
            expires_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1))

    answer = leader.post(url + "submit/", {"request_id": prepared["request_id"],
                                           "cms": _cms(token, prepared["digest"])}, format="json")

    assert answer.status_code == 400 and "request_id" in answer.json()


def test_garbage_instead_of_cms_is_a_400_naming_the_field(story):
    _office, document, _token, leader = story
    url = f"{OUTGOING}{document.pk}/signing/"
    prepared = leader.post(url + "prepare/").json()

    for cms in ("not base64!", base64.b64encode(b"\x30\x03abc").decode()):
        answer = leader.post(url + "submit/", {"request_id": prepared["request_id"], "cms": cms}, format="json")
        assert answer.status_code == 400 and "cms" in answer.json()


def test_another_agency_cannot_prepare_our_document(story, client_for):
    _office, document, _token, _leader = story
    stranger = sending_office()

    assert client_for(stranger.leader).post(f"{OUTGOING}{document.pk}/signing/prepare/").status_code == 404
