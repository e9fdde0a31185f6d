"""edXML (QCVN 102:2016) packages as the national axis carries them: parsing into the JSON
envelope's shape plus what only edXML says (the axis identifier, the ``Bussiness`` block, the
signature). Rendering is ``edxml_render``; the mapping tables are ``edxml_tables``.

Accepted: the root ``<edXML>`` wrapping ``edXML:edXMLEnvelope`` (attachments beside it in
``AttachmentEncoded``) and the bare ``edXMLEnvelope``; elements with or without namespace or
prefix (names are matched without them); dates ``yyyy/MM/dd`` (with or without a time),
ISO ``yyyy-MM-dd`` and ``dd/MM/yyyy``. Parsing refuses DTDs, entity declarations and external
references outright (defusedxml), so neither billion-laughs nor XXE payloads are expanded.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError

from docflow.exchange.edxml_tables import (
    BUSINESS_NEW,
    BUSINESS_TYPES,
    PRIORITY_TO_URGENCY,
    doc_type_of,
)
from docflow.exchange.xmldsig import SignatureCheck, package_verify

HEADER = "edXMLEnvelope/edXMLHeader/MessageHeader"
ORGAN_FIELDS = ("OrganId", "OrganizationInCharge", "OrganName", "OrganAdd", "Email", "Telephone",
                "Fax", "Website")

# JSON envelope field → the MessageHeader element it comes from: error keys for XML senders.
FIELD_ELEMENTS = {
    "sender_code": "From/OrganId",
    "recipients": "To/OrganId",
    "number": "Code/CodeNumber",
    "notation": "Code/CodeNotation",
    "issued_at": "PromulgationInfo/PromulgationDate",
    "place": "PromulgationInfo/Place",
    "doc_type": "DocumentType/Type",
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


@dataclass(frozen=True)
class Business:
    """TraceHeaderList/Bussiness: what the package does to the document(s) it names."""

    doc_type: int = BUSINESS_NEW
    document_id: str = ""
    reason: str = ""
    concerns: list[str] = field(default_factory=list)  # ReplacementInfo / the updated document
    staff: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return {v: k for k, v in BUSINESS_TYPES.items()}[self.doc_type]


@dataclass(frozen=True)
class Package:
    envelope: dict[str, Any]
    files: list[tuple[str, str, bytes]]
    document_id: str
    business: Business
    signature: SignatureCheck
    header: dict[str, Any]  # the rest of the MessageHeader, for the record


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


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


def edxml_date(raw: str | None) -> str | None:
    """yyyy/MM/dd (a time after it ignored), dd/MM/yyyy or ISO in; ISO out (the envelope's form)."""
    if not raw:
        return None
    raw = raw.strip()
    if match := re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", raw):
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw):
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?", raw):
        return match.group(1)
    return raw


def notation_of(number: str | None, code_notation: str | None) -> str | None:
    """Our notation (``7816/VPCP-TTĐT``) from CodeNumber and a CodeNotation without the number;
    a CodeNotation that already starts with the number is taken as it is."""
    if not code_notation:
        return code_notation
    if not number or code_notation.startswith(f"{number}/"):
        return code_notation
    return f"{number}/{code_notation}"


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


def envelope_root(root):
    """(edXMLEnvelope, the element holding AttachmentEncoded) of a wrapped or bare package."""
    if _local(root.tag) == "edXML":
        envelope = _child(root, "edXMLEnvelope")
        if envelope is None:
            raise ValidationError({"edXMLEnvelope": ["Thiếu edXMLEnvelope trong edXML."]})
        return envelope, root if _child(root, "AttachmentEncoded") is not None else envelope
    if _local(root.tag) != "edXMLEnvelope":
        raise ValidationError({"edXMLEnvelope": ["Phần tử gốc phải là edXML hoặc edXMLEnvelope."]})
    return root, root


def organ(node) -> dict[str, str]:
    return {name: _text(node, name) or "" for name in ORGAN_FIELDS}


def edxml_package(raw: bytes) -> Package:
    """Parse a package: its envelope (JSON shape), files, identifier, Bussiness and signature.

    400 on ``Signature`` when the package is signed and does not verify; 400 naming the
    element for anything malformed. Envelope fields are checked by ``exchange.envelope``."""
    root = xml_parse(raw)
    envelope_root(root)  # the root is checked before the signature is
    check = package_verify(raw)
    if check.signed_xml:
        root = xml_parse(check.signed_xml)  # read what was signed, nothing around it
    envelope_node, attachments_parent = envelope_root(root)
    head = _child(envelope_node, "edXMLHeader")
    header = _child(head, "MessageHeader")
    if header is None:
        raise ValidationError({"edXMLHeader/MessageHeader": ["Thiếu MessageHeader."]})
    number = _text(header, "Code/CodeNumber")
    envelope: dict[str, Any] = {
        "sender_code": _text(header, "From/OrganId"),
        "recipients": [_text(to, "OrganId") or "" for to in _children(header, "To")],
        "number": number or None,
        "notation": notation_of(number, _text(header, "Code/CodeNotation")),
        "issued_at": edxml_date(_text(header, "PromulgationInfo/PromulgationDate")),
        "place": _text(header, "PromulgationInfo/Place") or "",
        "doc_type": doc_type_of(number=_text(header, "DocumentType/Type"),
                                name=_text(header, "DocumentType/TypeName")),
        "subject": _text(header, "Subject"),
        "content": _text(header, "Content") or "",
        "due_date": edxml_date(_text(header, "DueDate")),
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
            "issued_at": edxml_date(_text(response_for, "PromulgationDate")),
            "document_id": _text(response_for, "DocumentId") or None,
        }
    envelope = {k: v for k, v in envelope.items() if v is not None}
    other = _child(header, "OtherInfo")
    extra = {
        "from": organ(_child(header, "From")),
        "to": [organ(to) for to in _children(header, "To")],
        "to_places": [(p.text or "").strip() for p in _children(_child(header, "ToPlaces"), "Place")],
        "steering_type": _text(header, "SteeringType") or "",
        "other_info": {
            "sphere_of_promulgation": _text(other, "SphereOfPromulgation") or "",
            "typer_notation": _text(other, "TyperNotation") or "",
            "promulgation_amount": _text(other, "PromulgationAmount") or "",
            "page_amount": _text(other, "PageAmount") or "",
            "appendixes": [(a.text or "").strip() for a in _children(_child(other, "Appendixes"), "Appendix")],
        },
    }
    files = _attachments(attachments_parent)
    _manifest_check(_child(envelope_node, "edXMLBody"), attachments_parent)
    return Package(
        envelope=envelope, files=files, document_id=_text(header, "DocumentId") or "",
        business=_business(_child(head, "TraceHeaderList")), signature=check, header=extra,
    )


def edxml_envelope(raw: bytes) -> tuple[dict[str, Any], list[tuple[str, str, bytes]]]:
    """Parse an edXML package into (envelope in the JSON shape, [(name, content type, bytes)])."""
    package = edxml_package(raw)
    return package.envelope, package.files


def _business(traces) -> Business:
    node = _child(traces, "Bussiness")
    node = _child(traces, "Business") if node is None else node
    if node is None:
        return Business()
    raw_type = _text(node, "BussinessDocType") or _text(node, "BusinessDocType") or "0"
    if not raw_type.isdigit() or int(raw_type) not in BUSINESS_TYPES.values():
        raise ValidationError({"TraceHeaderList/Bussiness/BussinessDocType": [
            "Loại nghiệp vụ phải là 0 (mới), 1 (thu hồi), 2 (cập nhật) hoặc 3 (thay thế)."
        ]})
    concerns = [
        _text(info, "DocumentId") or ""
        for info in _children(_child(node, "ReplacementInfoList"), "ReplacementInfo")
    ]
    info = _child(node, "BussinessDocumentInfo")
    info = _child(node, "BusinessDocumentInfo") if info is None else info
    if info is not None and _text(info, "DocumentInfo"):
        concerns.append(_text(info, "DocumentInfo"))
    staff = _child(node, "StaffInfo")
    return Business(
        doc_type=int(raw_type), document_id=_text(node, "DocumentId") or "",
        reason=_text(node, "BussinessDocReason") or _text(node, "BusinessDocReason") or "",
        concerns=[c for c in concerns if c],
        staff={k: _text(staff, k) or "" for k in ("Department", "Staff", "Mobile", "Email")} if staff is not None else {},
    )


def _attachments(parent) -> list[tuple[str, str, bytes]]:
    files = []
    for i, node in enumerate(_children(_child(parent, "AttachmentEncoded"), "Attachment"), start=1):
        where = f"AttachmentEncoded/Attachment[{i}]"
        name = _text(node, "AttachmentName")
        if not name:
            raise ValidationError({f"{where}/AttachmentName": ["Thiếu tên tệp đính kèm."]})
        encoded = _text(node, "ContentTransferEncoded") or ""
        if _child(node, "Content") is not None:  # Docflow's first form: the bytes in Content
            if encoded.lower() not in ("", "base64"):
                raise ValidationError({f"{where}/ContentTransferEncoded": ["Chỉ hỗ trợ base64."]})
            where, encoded = f"{where}/Content", _text(node, "Content") or ""
        else:
            where = f"{where}/ContentTransferEncoded"
        try:
            content = base64.b64decode("".join(encoded.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({where: ["Nội dung base64 không hợp lệ."]}) from None
        files.append((name, _text(node, "ContentType") or "application/octet-stream", content))
    return files


def _manifest_check(body, parent) -> None:
    """Each manifest Reference names an attachment by ContentId, and each attachment is listed."""
    manifest = _child(body, "edXMLManifest")
    if manifest is None:
        return
    listed = [_text(r, "ContentId") or "" for r in _children(manifest, "Reference")]
    carried = [_text(a, "ContentId") or "" for a in _children(_child(parent, "AttachmentEncoded"), "Attachment")]
    if sorted(listed) != sorted(carried):
        missing = sorted(set(listed) - set(carried))
        unlisted = sorted(set(carried) - set(listed))
        raise ValidationError({"edXMLBody/edXMLManifest/Reference": [
            f"Danh mục và tệp đính kèm không khớp: thiếu tệp {missing or '-'}, tệp không có trong danh mục {unlisted or '-'}."
        ]})


def edxml_error_keys(detail: dict) -> dict:
    """Envelope validation errors keyed by the MessageHeader elements an XML sender wrote."""
    out: dict = {}
    for name, messages in detail.items():
        if isinstance(messages, dict):
            for sub, sub_messages in messages.items():
                key = FIELD_ELEMENTS.get(f"{name}.{sub}", f"{FIELD_ELEMENTS.get(name, name)}/{sub}")
                out[f"MessageHeader/{key}"] = sub_messages
        else:
            out[f"MessageHeader/{FIELD_ELEMENTS.get(name, name)}"] = messages
    return out
