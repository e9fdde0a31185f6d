"""An edXML package exactly as the national axis carries it (QCVN 102:2016): root ``<edXML>``
wrapping ``edXML:edXMLEnvelope``, dates ``yyyy/MM/dd``, the integer ``DocumentType/Type``,
``CodeNotation`` without the number, ``DocumentId`` of the axis form, the ``Bussiness`` block,
a manifest naming every attachment, the attachments in ``AttachmentEncoded`` and, when the
agency has its key here, the package ``Signature`` (XML-DSig, enveloped)."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from lxml import etree

from docflow.documents.signing.models import SigningCredential
from docflow.exchange.edxml_tables import (
    BUSINESS_NEW,
    BUSINESS_REASONS,
    NAMESPACE,
    URGENCY_TO_PRIORITY,
    type_name,
    type_number,
)
from docflow.exchange.identifier import document_identifier
from docflow.exchange.xmldsig import package_sign, placeholder


def axis_date(value: date | datetime | str | None) -> str:
    """yyyy/MM/dd; datetimes in Vietnam time. ISO strings are accepted too."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value:%Y/%m/%d}"


def axis_timestamp(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y/%m/%d %H:%M:%S}"


def code_parts(number: int | str | None, notation: str) -> tuple[str, str]:
    """(CodeNumber as the notation writes it, CodeNotation without it): ``07/UBND-VP`` →
    (``07``, ``UBND-VP``)."""
    match = re.fullmatch(r"(\d+)/(.+)", notation or "")
    if match and (number is None or int(match.group(1)) == int(number)):
        return match.group(1), match.group(2)
    return ("" if number is None else str(number)), notation or ""


def sub(parent, name: str, text: Any = None):
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def organ_element(parent, name: str, organ: dict[str, str]):
    node = sub(parent, name)
    for field in ("OrganId", "OrganizationInCharge", "OrganName", "OrganAdd", "Email", "Telephone",
                  "Fax", "Website"):
        sub(node, field, organ.get(field, ""))
    return node


def staff_element(parent, staff: dict[str, str]):
    node = sub(parent, "StaffInfo")
    for field in ("Department", "Staff", "Mobile", "Email"):
        sub(node, field, staff.get(field, ""))
    return node


def response_for_element(parent, reply_to: dict[str, Any]):
    node = sub(parent, "ResponseFor")
    sub(node, "OrganId", reply_to.get("sender_code", ""))
    sub(node, "Code", reply_to.get("notation", ""))
    sub(node, "PromulgationDate", axis_date(reply_to.get("issued_at")))
    sub(node, "DocumentId", reply_to.get("document_id") or "")
    return node


def envelope_document_id(envelope: dict[str, Any]) -> str:
    return envelope.get("document_id") or document_identifier(
        organ_id=envelope["sender_code"], issued_on=envelope["issued_at"]
        if not isinstance(envelope["issued_at"], str) else date.fromisoformat(envelope["issued_at"]),
        notation=envelope["notation"],
    )


def edxml_render(*, envelope: dict[str, Any], trace: list[tuple[str, datetime]],
                 attachments: list[tuple[str, str, bytes]], business: dict[str, Any] | None = None,
                 credential: SigningCredential | None = None) -> bytes:
    """The package for ``envelope`` (the JSON shape, with optional ``sender``/``recipient_organs``
    details, ``reply_to``, ``other_info``, ``steering_type``); signed with ``credential``."""
    root = etree.Element(f"{{{NAMESPACE}}}edXML", nsmap={None: NAMESPACE})
    edxml = etree.SubElement(root, f"{{{NAMESPACE}}}edXMLEnvelope", nsmap={"edXML": NAMESPACE})
    head = sub(edxml, "edXMLHeader")
    header = sub(head, "MessageHeader")
    organ_element(header, "From", {
        "OrganId": envelope["sender_code"], "OrganName": envelope.get("sender_name", ""),
        "OrganizationInCharge": envelope.get("sender_name", ""), **envelope.get("sender", {}),
    })
    organs = {o.get("OrganId"): o for o in envelope.get("recipient_organs", [])}
    for code in envelope["recipients"]:
        organ_element(header, "To", {"OrganId": code, **organs.get(code, {})})
    document_id = envelope_document_id(envelope)
    sub(header, "DocumentId", document_id)
    code = sub(header, "Code")
    number, notation = code_parts(envelope.get("number"), envelope.get("notation", ""))
    sub(code, "CodeNumber", number)
    sub(code, "CodeNotation", notation)
    promulgation = sub(header, "PromulgationInfo")
    sub(promulgation, "Place", envelope.get("place", ""))
    sub(promulgation, "PromulgationDate", axis_date(envelope.get("issued_at")))
    doc_type = sub(header, "DocumentType")
    sub(doc_type, "Type", type_number(envelope["doc_type"]))
    sub(doc_type, "TypeName", type_name(envelope["doc_type"]))
    sub(header, "Subject", envelope["subject"])
    sub(header, "Content", envelope.get("content", ""))
    signer = sub(header, "SignerInfo")
    for field, key in (("Competence", "competence"), ("Position", "position"), ("FullName", "full_name")):
        sub(signer, field, envelope.get("signer", {}).get(key, ""))
    if envelope.get("due_date"):
        sub(header, "DueDate", axis_date(envelope["due_date"]))
    places = sub(header, "ToPlaces")
    for place in envelope.get("external_places", []):
        sub(places, "Place", place)
    other_info = envelope.get("other_info", {})
    other = sub(header, "OtherInfo")
    sub(other, "Priority", URGENCY_TO_PRIORITY[envelope.get("urgency", "normal")])
    sub(other, "SphereOfPromulgation", other_info.get("sphere_of_promulgation", "Liên thông văn bản quốc gia"))
    sub(other, "TyperNotation", other_info.get("typer_notation", ""))
    sub(other, "PromulgationAmount", other_info.get("promulgation_amount", 1))
    sub(other, "PageAmount", other_info.get("page_amount", ""))
    appendixes = sub(other, "Appendixes")
    for appendix in other_info.get("appendixes", []):
        sub(appendixes, "Appendix", appendix)
    if envelope.get("reply_to"):
        response_for_element(header, envelope["reply_to"])
    sub(header, "SteeringType", envelope.get("steering_type", 0))
    _traces(head, document_id, trace, business or {})
    if credential is not None:
        placeholder(head)
    body = sub(edxml, "edXMLBody")
    manifest = sub(body, "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = sub(root, "AttachmentEncoded")
    for i, (name, content_type, content) in enumerate(attachments, start=1):
        reference = sub(manifest, "Reference")
        node = sub(encoded, "Attachment")
        for parent in (reference, node):
            sub(parent, "ContentId", f"cid:{i}")
            sub(parent, "ContentType", content_type)
            sub(parent, "Description", name)
            sub(parent, "AttachmentName", name)
        sub(node, "ContentTransferEncoded", base64.b64encode(content).decode())
    if credential is not None:
        root = package_sign(root, credential=credential)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _traces(head, document_id: str, trace: list[tuple[str, datetime]], business: dict[str, Any]) -> None:
    traces = sub(head, "TraceHeaderList")
    kind = business.get("type", BUSINESS_NEW)
    node = sub(traces, "Bussiness")
    sub(node, "DocumentId", business.get("document_id") or document_id)
    sub(node, "BussinessDocType", kind)
    sub(node, "BussinessDocReason", business.get("reason") or BUSINESS_REASONS[kind])
    sub(node, "Paper", 0)
    if business.get("concerns"):
        if kind == BUSINESS_NEW or kind == 3:
            replacements = sub(node, "ReplacementInfoList")
            for concerned in business["concerns"]:
                info = sub(replacements, "ReplacementInfo")
                sub(info, "DocumentId", concerned)
                organs = sub(info, "OrganIdList")
                for code in business.get("organs", []):
                    sub(organs, "OrganId", code)
        else:
            info = sub(node, "BussinessDocumentInfo")
            sub(info, "DocumentInfo", business["concerns"][0])
            sub(info, "DocumentReceiver", "")
            sub(info, "ReceiverList")
    if business.get("staff"):
        staff_element(node, business["staff"])
    for organ_id, at in trace:
        entry = sub(traces, "TraceHeader")
        sub(entry, "OrganId", organ_id)
        sub(entry, "Timestamp", axis_timestamp(at))
