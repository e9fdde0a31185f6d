"""edXML (QCVN 102:2016) packages: parsing into the JSON envelope's shape, and rendering one.

We read and write a documented subset (docs/EXCHANGE.md): the MessageHeader, a TraceHeaderList,
and attachments inlined as base64 under ``AttachmentEncoded``. Parsing refuses DTDs, entity
declarations and external references outright (defusedxml), so neither billion-laughs nor XXE
payloads are expanded. Element names are matched without their namespace.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError

from docflow.core.text import fold
from docflow.documents.types import DOCUMENT_TYPES, TYPES_BY_CODE

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
HEADER = "edXMLEnvelope/edXMLHeader/MessageHeader"

# edXML Priority (0 thường … 3 hỏa tốc, 4 hỏa tốc hẹn giờ) ↔ our urgency.
PRIORITY_TO_URGENCY = {"0": "normal", "1": "urgent", "2": "very_urgent", "3": "flash", "4": "flash"}
URGENCY_TO_PRIORITY = {"normal": "0", "urgent": "1", "very_urgent": "2", "flash": "3"}
_TYPE_BY_FOLDED_NAME = {fold(t.name): t.code for t in DOCUMENT_TYPES}

# JSON envelope field → the MessageHeader element it comes from: error keys for XML senders.
FIELD_ELEMENTS = {
    "sender_code": "From/OrganId",
    "recipients": "To/OrganId",
    "number": "Code/CodeNumber",
    "notation": "Code/CodeNotation",
    "issued_at": "PromulgationInfo/PromulgationDate",
    "place": "PromulgationInfo/Place",
    "doc_type": "DocumentType/TypeName",
    "subject": "Subject",
    "content": "Content",
    "urgency": "OtherInfo/Priority",
    "signer": "SignerInfo",
    "signer.full_name": "SignerInfo/FullName",
    "signer.position": "SignerInfo/Position",
    "signer.competence": "SignerInfo/Competence",
    "due_date": "DueDate",
    "reply_to": "ResponseFor",
    "reply_to.sender_code": "ResponseFor/OrganId",
    "reply_to.notation": "ResponseFor/Code",
    "reply_to.issued_at": "ResponseFor/PromulgationDate",
    "reply_to.document_id": "ResponseFor/DocumentId",
    "attachments": "AttachmentEncoded/Attachment",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node, name: str):
    if node is None:
        return None
    for element in node:
        if _local(element.tag) == name:
            return element
    return None


def _children(node, name: str) -> list:
    return [] if node is None else [e for e in node if _local(e.tag) == name]


def _text(node, path: str) -> str | None:
    for name in path.split("/"):
        node = _child(node, name)
        if node is None:
            return None
    return (node.text or "").strip()


def _date(raw: str | None) -> str | None:
    """edXML dates come as yyyy-mm-dd or dd/mm/yyyy; the envelope takes ISO."""
    if raw and re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", raw):
        day, month, year = raw.split("/")
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return raw or None


def _doc_type(node) -> str | None:
    name = _text(node, "DocumentType/TypeName")
    if name is None:
        return None
    if name in TYPES_BY_CODE:
        return name
    return _TYPE_BY_FOLDED_NAME.get(fold(name), name)


def xml_parse(raw: bytes):
    """The document element; a 400 naming ``edXML`` when the XML is unsafe or malformed."""
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ValidationError(
            {"edXML": ["Không chấp nhận DTD, khai báo thực thể hoặc tham chiếu bên ngoài."]}
        ) from None
    except (ElementTree.ParseError, ValueError) as exc:
        raise ValidationError({"edXML": [f"XML không hợp lệ: {exc}"]}) from None


def edxml_envelope(raw: bytes) -> tuple[dict[str, Any], list[tuple[str, str, bytes]]]:
    """Parse an edXML package into (envelope in the JSON shape, [(name, content type, bytes)])."""
    root = xml_parse(raw)
    if _local(root.tag) != "edXMLEnvelope":
        raise ValidationError({"edXMLEnvelope": ["Phần tử gốc phải là edXMLEnvelope."]})
    header = _child(_child(root, "edXMLHeader"), "MessageHeader")
    if header is None:
        raise ValidationError({"edXMLHeader/MessageHeader": ["Thiếu MessageHeader."]})
    envelope: dict[str, Any] = {
        "sender_code": _text(header, "From/OrganId"),
        "recipients": [_text(to, "OrganId") or "" for to in _children(header, "To")],
        "number": _text(header, "Code/CodeNumber") or None,
        "notation": _text(header, "Code/CodeNotation"),
        "issued_at": _date(_text(header, "PromulgationInfo/PromulgationDate")),
        "place": _text(header, "PromulgationInfo/Place") or "",
        "doc_type": _doc_type(header),
        "subject": _text(header, "Subject"),
        "content": _text(header, "Content") or "",
        "due_date": _date(_text(header, "DueDate")),
    }
    priority = _text(header, "OtherInfo/Priority")
    if priority:
        if priority not in PRIORITY_TO_URGENCY:
            raise ValidationError({"OtherInfo/Priority": ["Độ khẩn phải là 0, 1, 2, 3 hoặc 4."]})
        envelope["urgency"] = PRIORITY_TO_URGENCY[priority]
    signer = _child(header, "SignerInfo")
    if signer is not None:
        envelope["signer"] = {
            "full_name": _text(signer, "FullName"),
            "position": _text(signer, "Position") or "",
            "competence": _text(signer, "Competence") or "",
        }
    response_for = _child(header, "ResponseFor")
    if response_for is not None:
        envelope["reply_to"] = {
            "sender_code": _text(response_for, "OrganId"),
            "notation": _text(response_for, "Code"),
            "issued_at": _date(_text(response_for, "PromulgationDate")),
            "document_id": _text(response_for, "DocumentId") or None,
        }
    envelope = {k: v for k, v in envelope.items() if v is not None}
    return envelope, _attachments(root)


def _attachments(root) -> list[tuple[str, str, bytes]]:
    files = []
    for i, node in enumerate(_children(_child(root, "AttachmentEncoded"), "Attachment"), start=1):
        where = f"AttachmentEncoded/Attachment[{i}]"
        name = _text(node, "AttachmentName")
        if not name:
            raise ValidationError({f"{where}/AttachmentName": ["Thiếu tên tệp đính kèm."]})
        encoding = (_text(node, "ContentTransferEncoded") or "base64").lower()
        if encoding != "base64":
            raise ValidationError({f"{where}/ContentTransferEncoded": ["Chỉ hỗ trợ base64."]})
        try:
            content = base64.b64decode(_text(node, "Content") or "", validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({f"{where}/Content": ["Nội dung base64 không hợp lệ."]}) from None
        files.append((name, _text(node, "ContentType") or "application/octet-stream", content))
    return files


def edxml_error_keys(detail: dict) -> dict:
    """Envelope validation errors keyed by the MessageHeader elements an XML sender wrote."""
    out: dict = {}
    for field, messages in detail.items():
        if isinstance(messages, dict):
            for sub, sub_messages in messages.items():
                key = FIELD_ELEMENTS.get(f"{field}.{sub}", f"{FIELD_ELEMENTS.get(field, field)}/{sub}")
                out[f"MessageHeader/{key}"] = sub_messages
        else:
            out[f"MessageHeader/{FIELD_ELEMENTS.get(field, field)}"] = messages
    return out


def _sub(parent, name: str, text: Any = None):
    element = ElementTree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        element.text = text.isoformat() if isinstance(text, (date, datetime)) else str(text)
    return element


def edxml_render(*, envelope: dict[str, Any], trace: list[tuple[str, datetime]],
                 attachments: list[tuple[str, str, bytes]]) -> bytes:
    """An edXML package for ``envelope`` (the JSON shape), with attachments inlined as base64."""
    ElementTree.register_namespace("", NAMESPACE)
    root = ElementTree.Element(f"{{{NAMESPACE}}}edXMLEnvelope")
    header = _sub(_sub(root, "edXMLHeader"), "MessageHeader")
    sender = _sub(header, "From")
    _sub(sender, "OrganId", envelope["sender_code"])
    _sub(sender, "OrganName", envelope.get("sender_name", ""))
    for code in envelope["recipients"]:
        _sub(_sub(header, "To"), "OrganId", code)
    _sub(header, "DocumentId", envelope["id"])
    code = _sub(header, "Code")
    _sub(code, "CodeNumber", envelope.get("number") or "")
    _sub(code, "CodeNotation", envelope.get("notation", ""))
    promulgation = _sub(header, "PromulgationInfo")
    _sub(promulgation, "Place", envelope.get("place", ""))
    _sub(promulgation, "PromulgationDate", envelope.get("issued_at") or "")
    doc_type = _sub(header, "DocumentType")
    _sub(doc_type, "Type", envelope["doc_type"])
    _sub(doc_type, "TypeName", TYPES_BY_CODE[envelope["doc_type"]].name)
    _sub(header, "Subject", envelope["subject"])
    _sub(header, "Content", envelope.get("content", ""))
    signer = _sub(header, "SignerInfo")
    _sub(signer, "Competence", envelope.get("signer", {}).get("competence", ""))
    _sub(signer, "Position", envelope.get("signer", {}).get("position", ""))
    _sub(signer, "FullName", envelope.get("signer", {}).get("full_name", ""))
    if envelope.get("due_date"):
        _sub(header, "DueDate", envelope["due_date"])
    places = _sub(header, "ToPlaces")
    for place in envelope.get("external_places", []):
        _sub(places, "Place", place)
    other = _sub(header, "OtherInfo")
    _sub(other, "Priority", URGENCY_TO_PRIORITY[envelope.get("urgency", "normal")])
    _sub(header, "SteeringType", "0")
    traces = _sub(_child(root, "edXMLHeader"), "TraceHeaderList")
    for organ_id, at in trace:
        entry = _sub(traces, "TraceHeader")
        _sub(entry, "OrganId", organ_id)
        _sub(entry, "Timestamp", at)
    encoded = _sub(root, "AttachmentEncoded")
    for i, (name, content_type, content) in enumerate(attachments, start=1):
        node = _sub(encoded, "Attachment")
        _sub(node, "ContentId", i)
        _sub(node, "AttachmentName", name)
        _sub(node, "ContentType", content_type)
        _sub(node, "ContentTransferEncoded", "base64")
        _sub(node, "Content", base64.b64encode(content).decode())
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
