"""Agency admins give keys and images on /quan-tri/ky-so/; nobody else may, and a key is only
for a leader of the agency."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from docflow.core.errors import NotPermitted
from docflow.core.scoping import cross_agency
from docflow.documents.signing.models import CredentialKind, SigningCredential
from docflow.documents.signing.services import credential_set_pkcs12
from tests.documents.story import sending_office
from tests.factories import MembershipFactory
from tests.signing.pki import PASSWORD, png
from tests.web.conftest import web_client

URL = "/quan-tri/ky-so/"


def test_admin_uploads_a_p12_and_a_seal_for_the_agency(pki):
    office = sending_office()
    admin = MembershipFactory(agency=office.agency, admin=True)
    client = web_client(admin)
    page = client.get(URL).content.decode()
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)

    answer = client.post(URL, {
        "once": once, "holder": "agency", "kind": "pkcs12", "password": PASSWORD,
        "file": SimpleUploadedFile("coquan.p12", pki.p12(office.agency.name)),
        "image": SimpleUploadedFile("dau.png", png((200, 20, 20), seal=True)),
    })

    assert answer.status_code == 302
    with cross_agency("system"):
        credential = SigningCredential.objects.get(agency=office.agency, user=None)
    assert credential.kind == CredentialKind.PKCS12 and credential.image_id
    assert PASSWORD.encode() not in bytes(credential.p12_password_encrypted)
    assert office.agency.name in client.get(URL).content.decode()


def test_a_wrong_p12_password_is_told_beside_the_field(pki):
    office = sending_office()
    admin = MembershipFactory(agency=office.agency, admin=True)
    client = web_client(admin)
    once = re.search(r'name="once" value="([^"]+)"', client.get(URL).content.decode()).group(1)

    answer = client.post(URL, {"once": once, "holder": "agency", "kind": "pkcs12", "password": "sai",
                               "file": SimpleUploadedFile("coquan.p12", pki.p12("x"))})

    assert answer.status_code == 400 and "sai mật khẩu" in answer.content.decode()


def test_only_agency_admins_manage_keys_and_only_for_their_own_leaders(pki):
    office, other = sending_office(), sending_office()
    admin = MembershipFactory(agency=office.agency, admin=True)

    assert web_client(office.clerk).get(URL).status_code == 403
    with pytest.raises(NotPermitted):
        credential_set_pkcs12(actor=office.clerk, user_id=None, data=pki.p12("x"), password=PASSWORD)
    with pytest.raises(ValidationError) as refused:
        credential_set_pkcs12(actor=admin, user_id=other.leader.user_id, data=pki.p12("y"), password=PASSWORD)
    assert "user" in refused.value.message_dict
    with pytest.raises(ValidationError):
        credential_set_pkcs12(actor=admin, user_id=office.staff.user_id, data=pki.p12("z"), password=PASSWORD)
