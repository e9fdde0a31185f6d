"""The clerk sees each received file's signatures and sends back, in one step, what fails; the
leader with an external key approves through the digest page."""

from __future__ import annotations

import asyncio
import base64
import re

from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign import signers

from docflow.core.scoping import cross_agency
from docflow.documents.approval import document_submit
from docflow.documents.signing.authority import (
    authority_make,
    certificate_issue,
    pkcs12_make,
)
from docflow.documents.signing.services import (
    credential_set_external,
    credential_set_pkcs12,
)
from docflow.routing.models import IncomingDocument
from tests.documents.story import draft, issued, sending_office
from tests.factories import AgencyFactory, MembershipFactory
from tests.signing.pki import PASSWORD
from tests.web.conftest import web_client


def _copy_of(commune) -> IncomingDocument:
    with cross_agency("system"):
        return IncomingDocument.objects.get(agency=commune)


def test_clerk_sees_valid_signatures_and_no_signature_rejection(pki, django_capture_on_commit_callbacks):
    commune = AgencyFactory()
    clerk = MembershipFactory(agency=commune, clerk=True)
    office = sending_office()
    pki.keys_for(office, images=True)
    with django_capture_on_commit_callbacks(execute=True):
        issued(office, recipients=[commune.code])

    page = web_client(clerk).get(f"/van-ban-den/{_copy_of(commune).pk}/").content.decode()

    assert page.count("hợp lệ, chứng thư tin cậy") == 2
    assert "Từ chối: chữ ký số không hợp lệ" not in page


def test_untrusted_signature_is_rejected_in_one_step_with_the_reason(pki, django_capture_on_commit_callbacks):
    commune = AgencyFactory()
    clerk = MembershipFactory(agency=commune, clerk=True)
    office = sending_office()
    admin = MembershipFactory(agency=office.agency, admin=True)
    stranger = authority_make(name="CA không được tin cậy")
    key, cert = certificate_issue(stranger, common_name="Người lạ")
    credential_set_pkcs12(actor=admin, user_id=office.leader.user_id, password=PASSWORD,
                          data=pkcs12_make(key, cert, stranger, password=PASSWORD))
    credential_set_pkcs12(actor=admin, user_id=None, password=PASSWORD, data=pki.p12(office.agency.name))
    with django_capture_on_commit_callbacks(execute=True):
        issued(office, recipients=[commune.code])
    client = web_client(clerk)
    copy = _copy_of(commune)
    page = client.get(f"/van-ban-den/{copy.pk}/").content.decode()
    assert "chứng thư không tin cậy" in page
    once = re.search(r'name="reject-once" value="([^"]+)"', page).group(1)

    client.post(f"/van-ban-den/{copy.pk}/tu-choi/", {"reject-once": once, "reject-reason": "Chữ ký số không hợp lệ"})

    with cross_agency("system"):  # the test reads outside any scope
        copy.refresh_from_db()
    assert (copy.status_code, copy.rejected_reason) == ("02", "Chữ ký số không hợp lệ")


def test_leader_with_an_external_key_approves_through_the_digest_page(pki):
    office = sending_office()
    admin = MembershipFactory(agency=office.agency, admin=True)
    key, cert = certificate_issue(pki.authority, common_name=office.leader.user.get_full_name())
    credential_set_external(actor=admin, user_id=office.leader.user_id, certificate=cert.public_bytes(Encoding.PEM))
    document = draft(office)
    document_submit(actor=office.staff, document_id=document.pk)
    client = web_client(office.leader)
    assert "ký bằng thiết bị ký" in client.get(f"/van-ban-di/{document.pk}/").content.decode()

    page = client.post(f"/van-ban-di/{document.pk}/ky-ngoai/").content.decode()
    digest = re.search(r'<code class="digest">([^<]+)</code>', page).group(1)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page).group(1)
    token = signers.SimpleSigner.load_pkcs12_data(pkcs12_make(key, cert, pki.authority, password=PASSWORD),
                                                  passphrase=PASSWORD.encode(), other_certs=())
    cms = asyncio.run(token.async_sign(base64.b64decode(digest), "sha256", use_pades=True)).dump()
    answer = client.post(f"/van-ban-di/{document.pk}/ky-ngoai/gui/",
                         {"request_id": request_id, "cms": base64.b64encode(cms).decode()})

    assert answer.status_code == 302
    with cross_agency("system"):  # the test reads outside any scope
        document.refresh_from_db()
    assert document.state == "approved" and document.approved_pdf_sha256
