"""edXML packages: the MessageHeader maps to the envelope; hostile XML is refused, never expanded."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError

from docflow.exchange.edxml import edxml_envelope, edxml_error_keys
from docflow.exchange.edxml_render import edxml_render

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def package(*, recipients=("000.01.99.H52",), priority="1", type_name="Công văn", extra="") -> bytes:
    to = "".join(f"<To><OrganId>{code}</OrganId></To>" for code in recipients)
    pdf = base64.b64encode(b"%PDF-1.4 test").decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXMLEnvelope xmlns="{NS}"><edXMLHeader><MessageHeader>
  <From><OrganId>000.00.00.G12</OrganId><OrganName>Sở Nội vụ</OrganName></From>{to}
  <Code><CodeNumber>12</CodeNumber><CodeNotation>12/SNV-VP</CodeNotation></Code>
  <PromulgationInfo><Place>Sơn La</Place><PromulgationDate>05/03/2026</PromulgationDate></PromulgationInfo>
  <DocumentType><Type>2</Type><TypeName>{type_name}</TypeName></DocumentType>
  <Subject>Về việc rà soát biên chế</Subject><Content>Nội dung</Content>
  <SignerInfo><Competence>KT. GIÁM ĐỐC</Competence><Position>Phó Giám đốc</Position><FullName>Cầm Văn Xuân</FullName></SignerInfo>
  <DueDate>2026-03-20</DueDate><OtherInfo><Priority>{priority}</Priority></OtherInfo>{extra}
</MessageHeader><TraceHeaderList/></edXMLHeader>
<AttachmentEncoded><Attachment><ContentId>1</ContentId><AttachmentName>cv.pdf</AttachmentName>
<ContentType>application/pdf</ContentType><ContentTransferEncoded>base64</ContentTransferEncoded>
<Content>{pdf}</Content></Attachment></AttachmentEncoded></edXMLEnvelope>""".encode()


def test_message_header_maps_to_the_envelope():
    envelope, files = edxml_envelope(package(recipients=("000.01.99.H52", "000.02.99.H52")))
    assert envelope["sender_code"] == "000.00.00.G12"
    assert envelope["recipients"] == ["000.01.99.H52", "000.02.99.H52"]
    assert (envelope["number"], envelope["notation"]) == ("12", "12/SNV-VP")
    assert envelope["issued_at"] == "2026-03-05" and envelope["place"] == "Sơn La"
    assert envelope["doc_type"] == "cong_van" and envelope["urgency"] == "urgent"
    assert envelope["signer"] == {"full_name": "Cầm Văn Xuân", "position": "Phó Giám đốc", "competence": "KT. GIÁM ĐỐC"}
    assert files == [("cv.pdf", "application/pdf", b"%PDF-1.4 test")]


def test_type_name_is_matched_without_diacritics_and_our_code_is_accepted():
    assert edxml_envelope(package(type_name="Quyet dinh"))[0]["doc_type"] == "quyet_dinh"
    assert edxml_envelope(package(type_name="ke_hoach"))[0]["doc_type"] == "ke_hoach"


def test_billion_laughs_is_refused_without_expanding():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXMLEnvelope>&lol3;</edXMLEnvelope>"""
    with pytest.raises(ValidationError) as caught:
        edxml_envelope(bomb)
    assert "edXML" in caught.value.message_dict


def test_external_entity_is_refused():
    xxe = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<edXMLEnvelope>&x;</edXMLEnvelope>"""
    with pytest.raises(ValidationError) as caught:
        edxml_envelope(xxe)
    assert "edXML" in caught.value.message_dict


@pytest.mark.parametrize(
    ("raw", "element"),
    [
        (b"<notxml", "edXML"),
        (b"<Other/>", "edXMLEnvelope"),
        (b"<edXMLEnvelope><edXMLHeader/></edXMLEnvelope>", "edXMLHeader/MessageHeader"),
        (package(priority="9"), "OtherInfo/Priority"),
        (package().replace(b"<Content>JVBER", b"<Content>!!!JVBER"), "AttachmentEncoded/Attachment[1]/Content"),
    ],
)
def test_malformed_elements_are_named(raw, element):
    with pytest.raises(ValidationError) as caught:
        edxml_envelope(raw)
    assert element in caught.value.message_dict


def test_errors_are_keyed_by_message_header_elements():
    keys = edxml_error_keys({"notation": ["x"], "signer": {"full_name": ["y"]}})
    assert keys == {"MessageHeader/Code/CodeNotation": ["x"], "MessageHeader/SignerInfo/FullName": ["y"]}


def test_render_then_parse_round_trips_the_envelope():
    envelope = {
        "id": "0190c2a1-0000-7000-8000-000000000001", "sender_code": "000.00.31.H52",
        "sender_name": "UBND huyện Bắc Yên", "recipients": ["000.00.00.G12"], "number": 7,
        "notation": "07/UBND-VP", "issued_at": "2026-03-05", "place": "Bắc Yên",
        "doc_type": "cong_van", "subject": "Về việc", "content": "", "urgency": "flash",
        "signer": {"full_name": "Lò Văn Minh", "position": "Chủ tịch", "competence": "TM."},
    }
    raw = edxml_render(envelope=envelope, trace=[], attachments=[("a.pdf", "application/pdf", b"x")])
    parsed, files = edxml_envelope(raw)
    assert parsed["notation"] == "07/UBND-VP" and parsed["urgency"] == "flash"
    assert parsed["recipients"] == ["000.00.00.G12"] and parsed["number"] == "07"
    assert files == [("a.pdf", "application/pdf", b"x")]
