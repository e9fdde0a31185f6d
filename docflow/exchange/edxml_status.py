"""edXML status packages (QCVN 102:2016, the axis form): one recipient's status on one
document, named by its axis identifier in ``ResponseFor/DocumentId``.

``status_package_parse`` gives the keys of the JSON status message the exchange already
accepts (``document_id`` being the axis identifier, which the view resolves to our document),
plus what only the package says (``sender_code``, ``staff_info``, ``response_for``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree

from docflow.exchange.edxml import _child, _local, _text, edxml_date, envelope_root, organ, xml_parse
from docflow.exchange.edxml_render import axis_timestamp, organ_element, response_for_element, staff_element, sub
from docflow.exchange.edxml_tables import NAMESPACE, STATUS_CODES
from docflow.exchange.identifier import parse_document_identifier
from docflow.exchange.xmldsig import package_verify, placeholder, package_sign


def status_package_render(
    *, response_for: dict[str, Any], sender: dict[str, str], status_code: str, description: str,
    timestamp: datetime, staff: dict[str, str], credential=None,
) -> bytes:
    """The status package: ``response_for`` {sender_code, notation, issued_at, document_id},
    ``sender`` the From organ (OrganId, OrganName…), ``staff`` {Department, Staff, Mobile, Email}."""
    if status_code not in STATUS_CODES:
        raise ValueError(f"unknown status code {status_code!r}")
    root = etree.Element(f"{{{NAMESPACE}}}edXML", nsmap={None: NAMESPACE})
    envelope = etree.SubElement(root, f"{{{NAMESPACE}}}edXMLEnvelope", nsmap={"edXML": NAMESPACE})
    head = sub(envelope, "edXMLHeader")
    status = sub(head, "Status")
    response_for_element(status, response_for)
    organ_element(status, "From", sender)
    staff_element(status, staff)
    sub(status, "StatusCode", status_code)
    sub(status, "Description", description)
    sub(status, "Timestamp", axis_timestamp(timestamp))
    if credential is not None:
        placeholder(head)
        root = package_sign(root, credential=credential)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _timestamp(raw: str | None) -> str | None:
    """yyyy/MM/dd HH:mm:ss (Vietnam time) or ISO 8601 in; ISO 8601 out."""
    if not raw:
        return None
    for form in ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%d/%m/%Y %H:%M:%S"):
        try:
            return timezone.make_aware(datetime.strptime(raw, form)).isoformat()
        except ValueError:
            continue
    if edxml_date(raw) != raw and len(raw) <= 10:
        return timezone.make_aware(datetime.fromisoformat(edxml_date(raw))).isoformat()
    return raw


def staff_line(staff_info: dict[str, str]) -> str:
    """StaffInfo as the one ``staff`` line a status keeps: "name, department, mobile, email"."""
    return ", ".join(v for v in (staff_info.get("Staff"), staff_info.get("Department"),
                                 staff_info.get("Mobile"), staff_info.get("Email")) if v)[:150]


def status_package_parse(raw: bytes) -> dict[str, Any]:
    """The status message of a package: {document_id, status_code, description, staff,
    timestamp, sender_code, staff_info, response_for, signature}. 400 naming ``StatusCode``
    for a code not in the table, ``ResponseFor/DocumentId`` for a missing or malformed
    identifier, ``Signature`` for a signature that does not verify."""
    root = xml_parse(raw)
    envelope_root(root)
    check = package_verify(raw)
    if check.signed_xml:
        root = xml_parse(check.signed_xml)
    codes = [e for e in root.iter() if _local(e.tag) == "StatusCode"]
    if not codes:
        raise ValidationError({"StatusCode": ["Thiếu StatusCode: đây không phải gói trạng thái."]})
    container = next(e for e in root.iter() if any(c is codes[0] for c in e))
    code = (codes[0].text or "").strip()
    if code not in STATUS_CODES:
        raise ValidationError({"StatusCode": [
            f"Mã trạng thái {code!r} không có trong bảng: {', '.join(STATUS_CODES)}."
        ]})
    response_for = _child(container, "ResponseFor")
    identifier = _text(response_for, "DocumentId") or ""
    try:
        parse_document_identifier(identifier)
    except ValueError:
        raise ValidationError({"ResponseFor/DocumentId": [
            "Phải là mã định danh văn bản dạng OrganId,yyyy/MM/dd,số/ký hiệu."
        ]}) from None
    staff = _child(container, "StaffInfo")
    staff_info = {k: _text(staff, k) or "" for k in ("Department", "Staff", "Mobile", "Email")}
    return {
        "document_id": identifier,
        "status_code": code,
        "description": _text(container, "Description") or "",
        "staff": staff_info["Staff"],
        "timestamp": _timestamp(_text(container, "Timestamp")),
        "sender_code": _text(container, "From/OrganId") or "",
        "sender": organ(_child(container, "From")),
        "staff_info": staff_info,
        "response_for": {
            "sender_code": _text(response_for, "OrganId") or "",
            "notation": _text(response_for, "Code") or "",
            "issued_at": edxml_date(_text(response_for, "PromulgationDate")),
            "document_id": identifier,
        },
        "signature": check.state,
    }
