"""edXML as the national axis carries it: packages in the shape other vendors send import with
every field in place, our export passes the public checkers' rules and re-imports equal, the
package signature is checked, and status, revocation and replacement travel both ways."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from lxml import etree

from docflow.api.exchange.envelope import ExchangeEnvelopeSerializer
from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.documents.signing.authority import authority_make, certificate_issue
from docflow.exchange.edxml import edxml_package
from docflow.exchange.edxml_status import status_package_parse
from docflow.exchange.edxml_tables import DSIG_NAMESPACE, NAMESPACE
from docflow.exchange.identifier import outgoing_identifier
from docflow.exchange.models import InboundDocument
from docflow.exchange.outbound import delivery_package, report_status_package
from docflow.exchange.xmldsig import package_sign_with, package_verify, placeholder
from docflow.routing.deliveries import document_recall_request
from docflow.routing.handling import incoming_accept, incoming_recall_decide
from docflow.routing.stamping import incoming_attachments_stamp
from docflow.routing.models import Delivery, IncomingAttachment, IncomingDocument, Status, StatusReport
from docflow.tenancy.models import AgencyLevel
from tests.documents.story import sending_office
from tests.exchange.factories import ExternalAgencyFactory, SigningAPIClient, issued_key
from tests.exchange.test_outbound import issue_to
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory
from tests.signing.pki import pki_make

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "edxml"
DOCUMENTS, STATUS = "/api/v1/exchange/documents/", "/api/v1/exchange/status/"
SENDER, PHIENG_BAN, SONG_PE = "000.00.05.G12", "000.21.31.H52", "000.22.31.H52"
ID45 = "000.00.05.G12,2026/03/05,45/SNV-VP"


def fixture(name: str, **tokens: str) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for token, value in tokens.items():
        text = text.replace(f"__{token.upper()}__", value)
    return text.encode()


@pytest.fixture
def axis(db):
    """The provincial Department of Home Affairs on another vendor's product, and two communes."""
    sender = ExternalAgencyFactory(code=SENDER, name="Sở Nội vụ tỉnh Sơn La")
    issued = issued_key(agency=sender)
    api = SigningAPIClient(key=issued.key, secret=issued.signing_secret)
    communes = {}
    for code, name in ((PHIENG_BAN, "Phiêng Ban"), (SONG_PE, "Song Pe")):
        agency = AgencyFactory(code=code, name=f"Ủy ban nhân dân xã {name}", level=AgencyLevel.COMMUNE)
        unit = UnitFactory(agency=agency, name="Văn phòng Ủy ban")
        communes[code] = MembershipFactory(agency=agency, unit=unit, clerk=True,
                                           user__full_name=f"Văn thư {name}", user__email=f"vt@{name[:2]}.vn")
    api.sender, api.clerks = sender, communes
    return api


def post(api, raw: bytes, key: str, url: str = DOCUMENTS):
    return api.post(url, raw, content_type="application/xml", HTTP_IDEMPOTENCY_KEY=key)


def copies_of(identifier: str) -> list[IncomingDocument]:
    with cross_agency("system"):
        return list(IncomingDocument.objects.filter(exchange_document_id=identifier)
                    .select_related("agency").order_by("agency__code"))


def signed(raw: bytes, key, cert) -> bytes:
    root = etree.fromstring(raw)
    placeholder(root.find(f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader"))
    return etree.tostring(package_sign_with(root, key=key, cert=cert), xml_declaration=True, encoding="UTF-8")


def test_another_vendors_package_arrives_with_every_field_in_place(axis):
    answer = post(axis, fixture("new_document.edxml"), "snv-45")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["document_id"] == ID45 and body["duplicate"] is False
    assert [r["agency_code"] for r in body["recipients"]] == [PHIENG_BAN, SONG_PE]
    copies = copies_of(ID45)
    assert [c.agency.code for c in copies] == [PHIENG_BAN, SONG_PE]
    for copy in copies:
        assert (copy.number, copy.notation, str(copy.issued_on)) == (45, "45/SNV-VP", "2026-03-05")
        assert copy.doc_type == "cong_van" and copy.place == "Sơn La" and copy.urgency == "urgent"
        assert copy.subject == "V/v rà soát số lượng cán bộ, công chức cấp xã năm 2026"
        assert copy.content.startswith("Sở Nội vụ đề nghị") and str(copy.sender_due_date) == "2026-03-20"
        assert (copy.signer_name, copy.signer_position) == ("Cầm Văn Xuân", "Phó Giám đốc")
        assert copy.sender_code == SENDER and copy.status_code == Status.DELIVERED
    with cross_agency("system"):
        names = list(IncomingAttachment.objects.filter(incoming=copies[0]).order_by("-is_main", "name")
                     .values_list("name", "content_type", "is_main"))
        inbound = InboundDocument.objects.get()
    assert names == [("45-SNV-VP.pdf", "application/pdf", True),
                     ("phu-luc-bieu-mau.pdf", "application/pdf", False)]
    recorded = inbound.envelope["edxml"]
    assert recorded["signature"]["state"] == "unsigned"
    assert recorded["from"]["OrganAdd"].startswith("Số 8 đường Tô Hiệu")
    assert recorded["other_info"]["page_amount"] == "2" and recorded["steering_type"] == "1"
    assert recorded["to_places"] == ["Phòng Nội vụ huyện Bắc Yên (để biết)", "Lưu: VT, CCVC"]
    assert recorded["business"]["type"] == 0 and recorded["business"]["staff"]["Staff"] == "Lường Thị Hoa"
    # The clerk registers it: the PDFs that came in the package are stamped ĐẾN.
    incoming_accept(membership=axis.clerks[PHIENG_BAN], incoming_id=copies[0].id)
    assert incoming_attachments_stamp(agency_id=copies[0].agency_id, incoming_id=copies[0].id) == 2
    with cross_agency("system"):
        assert all(IncomingAttachment.objects.filter(incoming=copies[0]).values_list("stamped_sha256", flat=True))


def test_the_same_document_id_twice_is_one_document_and_the_second_answer_says_so(axis):
    first = post(axis, fixture("new_document.edxml"), "snv-45")
    again = post(axis, fixture("new_document.edxml").replace(b"08:30:00", b"08:31:00"), "snv-45-retry")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    assert again.json()["recipients"] == first.json()["recipients"]
    with cross_agency("system"):
        assert InboundDocument.objects.count() == 1 and IncomingDocument.objects.count() == 2


def test_a_reply_in_the_bare_envelope_with_iso_dates_is_linked_to_our_document(axis):
    office = sending_office(symbol="UBND")
    ours = issue_to(office, SENDER, subject="Đề nghị thẩm định đề án vị trí việc làm")
    identifier = outgoing_identifier(ours)
    raw = fixture("reply_bare_envelope.edxml", our_code=office.agency.code, our_name=office.agency.name,
                  our_notation=ours.notation, our_date=identifier.split(",")[1].replace("/", "-"),
                  our_document_id=identifier)
    answer = post(axis, raw, "snv-52")
    assert answer.status_code == 201, answer.json()
    [copy] = copies_of("000.00.05.G12,2026/03/09,52/SNV-CCVC")
    assert copy.agency_id == office.agency.pk and copy.doc_type == "bao_cao"
    assert (copy.number, copy.notation, str(copy.issued_on)) == (52, "52/SNV-CCVC", "2026-03-09")
    assert copy.response_for_document_id == ours.pk and copy.response_for_notation == ours.notation


def test_a_signed_package_is_checked_and_a_tampered_one_is_refused_naming_signature(axis, tmp_path, settings):
    pki = pki_make(tmp_path, settings)
    key, cert = certificate_issue(pki.authority, common_name="Sở Nội vụ tỉnh Sơn La", organisation="Sơn La")
    raw = signed(fixture("new_document.edxml"), key, cert)
    tampered = raw.replace("năm 2026</edXML:Subject>".encode(), "năm 2027</edXML:Subject>".encode())
    assert tampered != raw
    refused = post(axis, tampered, "snv-45-tampered")
    assert refused.status_code == 400 and "Signature" in refused.json()
    with cross_agency("system"):
        assert not InboundDocument.objects.exists() and not IncomingDocument.objects.exists()
    accepted = post(axis, raw, "snv-45-signed")
    assert accepted.status_code == 201, accepted.json()
    with cross_agency("system"):
        signature = InboundDocument.objects.get().envelope["edxml"]["signature"]
    assert signature["state"] == "valid" and "Sở Nội vụ tỉnh Sơn La" in signature["subject"]
    assert signature["trusted"] is True, signature


def test_a_package_signed_by_a_certificate_of_an_unknown_authority_is_kept_and_recorded_untrusted(
        axis, tmp_path, settings):
    pki_make(tmp_path, settings)  # our trust roots: the test CA only
    stranger = authority_make(name="Không phải tổ chức cung cấp dịch vụ chứng thực")
    key, cert = certificate_issue(stranger, common_name="Sở Nội vụ tỉnh Sơn La", organisation="Sơn La")
    answer = post(axis, signed(fixture("new_document.edxml"), key, cert), "snv-45-stranger")
    assert answer.status_code == 201, answer.json()
    with cross_agency("system"):
        signature = InboundDocument.objects.get().envelope["edxml"]["signature"]
    assert signature["state"] == "valid" and signature["trusted"] is False
    assert signature["detail"]


# What public checkers verify of a package before the axis takes it.
AXIS_DATE = re.compile(r"\d{4}/\d{2}/\d{2}")
DOCUMENT_ID = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2},\d{4}/\d{2}/\d{2},\d+/\S+")


def checked(raw: bytes) -> etree._Element:
    root = etree.fromstring(raw)
    ns = {"e": NAMESPACE, "ds": DSIG_NAMESPACE}
    assert etree.QName(root).localname == "edXML" and root.find("e:edXMLEnvelope", ns) is not None
    header = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", ns)
    for field in ("OrganId", "OrganName", "OrganizationInCharge"):
        assert header.findtext(f"e:From/e:{field}", namespaces=ns), field
    assert header.findtext("e:DocumentType/e:Type", namespaces=ns).isdigit()
    assert header.findtext("e:DocumentType/e:TypeName", namespaces=ns)
    assert AXIS_DATE.fullmatch(header.findtext("e:PromulgationInfo/e:PromulgationDate", namespaces=ns))
    number = header.findtext("e:Code/e:CodeNumber", namespaces=ns)
    assert number.isdigit() and not header.findtext("e:Code/e:CodeNotation", namespaces=ns).startswith(number)
    assert DOCUMENT_ID.fullmatch(header.findtext("e:DocumentId", namespaces=ns))
    listed = [r.findtext("e:ContentId", namespaces=ns) for r in root.iterfind(".//e:edXMLManifest/e:Reference", ns)]
    carried = [a.findtext("e:ContentId", namespaces=ns) for a in root.iterfind("e:AttachmentEncoded/e:Attachment", ns)]
    assert listed == carried and listed
    assert root.find("e:edXMLEnvelope/e:edXMLHeader/ds:Signature", ns) is not None
    return header


def test_our_export_passes_the_public_checkers_rules_and_reimports_into_an_equal_document(axis, tmp_path, settings):
    pki = pki_make(tmp_path, settings)
    office = sending_office(symbol="UBND")
    pki.keys_for(office)
    ours = issue_to(office, SENDER, PHIENG_BAN, attachments=["phu-luc.pdf"])
    answer = axis.get(f"{DOCUMENTS}{ours.pk}/edxml/")
    assert answer.status_code == 200, answer.content[:300]
    header = checked(answer.content)
    assert header.findtext(f"{{{NAMESPACE}}}DocumentId") == outgoing_identifier(ours)
    assert package_verify(answer.content).state == "valid"
    package = edxml_package(answer.content)
    reimported = ExchangeEnvelopeSerializer(data=package.envelope)
    assert reimported.is_valid(), reimported.errors
    again = reimported.validated_data
    # The date the document bears is Vietnam's (UTC+7), not UTC's: after 17:00 UTC they differ.
    issued_on = timezone.localdate(ours.issued_at)
    assert (again["number"], again["notation"], again["issued_at"]) == (ours.number, ours.notation, issued_on)
    assert (again["doc_type"], again["subject"], again["urgency"]) == (ours.doc_type, ours.subject, ours.urgency)
    assert again["sender_code"] == office.agency.code and again["recipients"] == [SENDER, PHIENG_BAN]
    assert again["signer"]["full_name"] == "Lò Văn Minh"
    names = [name for name, _type, _data in package.files]
    assert names[0].endswith(".pdf") and names[1:] == ["phu-luc.pdf"]
    assert package.document_id == outgoing_identifier(ours) and package.business.doc_type == 0
    with pytest.raises(Exception) as caught:
        package_verify(answer.content.replace(ours.subject.encode(), b"Noi dung khac"))
    assert "Signature" in caught.value.message_dict


def test_another_agencys_document_is_404_on_the_edxml_export(axis):
    office = sending_office(symbol="UBND")
    theirs = issue_to(office, ExternalAgencyFactory().code)
    assert axis.get(f"{DOCUMENTS}{theirs.pk}/edxml/").status_code == 404


def status_for(document, code: str) -> bytes:
    identifier = outgoing_identifier(document)
    return fixture("status.edxml", our_code=document.agency.code, our_notation=document.notation,
                   our_date=identifier.split(",")[1], our_document_id=identifier, code=code)


def delivery_of(document) -> Delivery:
    with cross_agency("system"):
        return Delivery.objects.get(document=document, recipient_code=SENDER)


@pytest.mark.parametrize("code", ["02", "03", "04", "05", "06"])
def test_a_status_package_for_each_code_updates_our_tracking(axis, code):
    office = sending_office(symbol="UBND")
    ours = issue_to(office, SENDER)
    answer = post(axis, status_for(ours, code), f"st-{code}", url=STATUS)
    assert answer.status_code == 200, answer.json()
    delivery = delivery_of(ours)
    assert delivery.status_code == code and answer.json()["status_code"] == code
    assert "Lò Thị Mai" in delivery.status_note and "Phòng Công chức, viên chức" in delivery.status_note


def test_the_recall_answers_come_back_as_status_packages(axis):
    office = sending_office(symbol="UBND")
    ours = issue_to(office, SENDER)
    document_recall_request(actor=office.clerk, document_id=ours.pk, reason="Ban hành nhầm")
    assert delivery_of(ours).status_code == Status.RECALL_REQUESTED
    assert post(axis, status_for(ours, "15"), "st-15", url=STATUS).status_code == 200
    assert delivery_of(ours).status_code == Status.RECALL_ACCEPTED


@pytest.mark.parametrize(("change", "element"), [
    ({"code": "99"}, "StatusCode"),
    ({"code": "13"}, "StatusCode"),
    ({"document_id": "000.00.31.H52,2026/01/02,1/UBND-VP"}, "ResponseFor/DocumentId"),
    ({"document_id": "không phải mã"}, "ResponseFor/DocumentId"),
])
def test_an_unknown_code_or_document_id_is_400_naming_the_element_and_changes_nothing(axis, change, element):
    office = sending_office(symbol="UBND")
    ours = issue_to(office, SENDER)
    raw = status_for(ours, change.get("code", "03"))
    if "document_id" in change:
        raw = raw.replace(outgoing_identifier(ours).encode(), change["document_id"].encode())
    answer = post(axis, raw, "st-bad", url=STATUS)
    assert answer.status_code == 400 and element in answer.json(), answer.json()
    assert delivery_of(ours).status_code == Status.DELIVERED


def test_a_revocation_reaches_the_clerk_as_a_recall_and_the_answer_goes_back_as_status(axis):
    assert post(axis, fixture("new_document.edxml"), "snv-45").status_code == 201
    answer = post(axis, fixture("revocation.edxml"), "snv-45-revoke")
    assert answer.status_code == 200 and answer.json()["recall_requested"] is True
    copies = copies_of(ID45)
    assert [c.status_code for c in copies] == [Status.RECALL_REQUESTED] * 2
    assert copies[0].recall_reason == "Văn bản ban hành nhầm biểu mẫu, đề nghị thu hồi"
    assert post(axis, fixture("revocation.edxml"), "snv-45-revoke-2").json()["duplicate"] is True
    clerk = axis.clerks[PHIENG_BAN]
    incoming_recall_decide(membership=clerk, incoming_id=copies[0].id, accept=True, reason="Đồng ý")
    with cross_agency("system"):
        report = StatusReport.objects.select_related("agency", "incoming").get(incoming=copies[0])
        status = status_package_parse(report_status_package(report))
    assert status["status_code"] == "15" and status["document_id"] == ID45
    assert status["sender_code"] == PHIENG_BAN and status["response_for"]["notation"] == "45/SNV-VP"
    assert status["staff_info"] == {"Department": "Văn phòng Ủy ban", "Staff": "Văn thư Phiêng Ban",
                                    "Mobile": "", "Email": "vt@Ph.vn"}


def test_a_revocation_of_a_document_we_do_not_hold_is_400(axis):
    answer = post(axis, fixture("revocation.edxml"), "snv-45-revoke")
    assert answer.status_code == 400 and "TraceHeaderList/Bussiness/DocumentId" in answer.json()


def test_a_replacement_marks_the_copies_it_replaces(axis):
    assert post(axis, fixture("new_document.edxml"), "snv-45").status_code == 201
    answer = post(axis, fixture("replacement.edxml"), "snv-47")
    assert answer.status_code == 201, answer.json()
    replacing = copies_of("000.00.05.G12,2026/03/07,47/SNV-VP")
    assert [c.replaces_notation for c in replacing] == ["45/SNV-VP"] * 2
    with cross_agency("system"):
        marked = AuditEvent.objects.filter(action="incoming.replaced").values_list("object_id", "data")
        by_old = {object_id: data["by_incoming_id"] for object_id, data in marked}
    assert by_old == {old.id: str(new.id) for old, new in zip(copies_of(ID45), replacing)}


def test_our_recall_and_update_go_out_with_their_bussiness_block(axis):
    office = sending_office(symbol="UBND")
    ours = issue_to(office, SENDER)
    document_recall_request(actor=office.clerk, document_id=ours.pk, reason="Ban hành nhầm")
    with cross_agency("system"):
        delivery = Delivery.objects.select_related("document__agency").get(document=ours, recipient_code=SENDER)
        ours.refresh_from_db()
        revocation = edxml_package(delivery_package(delivery, business="revocation")).business
        update = edxml_package(delivery_package(delivery, business="update")).business
    assert (revocation.doc_type, revocation.reason) == (1, "Ban hành nhầm")
    assert revocation.document_id == outgoing_identifier(ours)
    assert revocation.staff["Staff"] == office.clerk.user.get_full_name()
    assert update.doc_type == 2 and update.concerns == [outgoing_identifier(ours)]
