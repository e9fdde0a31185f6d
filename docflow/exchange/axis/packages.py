"""The axis connector's one door to the edXML format: every package it sends or receives passes here.

The connector never builds or reads XML itself. This module expects these functions from the
format side (docflow/exchange/edxml.py, edxml_status.py, outbound.py, inbound.py) and, until
they exist in main, stands in for them with what main has; at merge only this file changes:

- ``outbound.delivery_package(delivery, business=...) -> bytes``: the edXML package of one
  delivery to an external agency, in the form the axis carries, with the TraceHeaderList
  Bussiness block for ``business`` ("new", "revoke", "update", "replace") and the official PDF.
  Stand-in: ``edxml.edxml_render`` of ``outbound.document_envelope`` with the official PDF and
  the attachments, and a ``Bussiness/BussinessDocType`` added for anything but "new".
- ``outbound.report_status_package(report) -> bytes``: the edXML status package (ResponseFor,
  From, StatusCode, Description, Timestamp, StaffInfo) of one of our StatusReport rows.
  Stand-in: ``_status_render`` below, the same elements.
- ``edxml_status.status_package_parse(raw) -> dict`` with at least ``document_id`` (the
  ResponseFor DocumentId), ``status_code``, ``description``, ``staff`` and ``sender_code``.
  Stand-in: ``_status_parse`` below.
- the document identifier ``OrganId,yyyy/MM/dd,number/notation`` (``exchange_document_id``)
  of an issued document, of an incoming copy's original, and of a received package.
  Stand-in: made from the agency code, the issue date and the notation.
- inbound handling of a received package: ``inbound.inbound_document_receive`` (today with the
  envelope parsed by ``edxml.edxml_envelope`` and checked here) and, for status packages,
  ``statuses.delivery_status_receive`` with the document the ResponseFor names.

``ValidationError`` (or ``NotPermitted`` / ``NotFound``) from any of them means the package is
wrong: the connector records it as failed and tells the axis so; it never retries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.utils import timezone

from docflow.core.errors import NotFound
from docflow.documents.files import stored_file_open
from docflow.documents.models import OutgoingDocument
from docflow.documents.pdf import PDF, official_pdf_filename
from docflow.documents.types import TYPES_BY_CODE
from docflow.exchange import edxml, edxml_tables
from docflow.exchange.inbound import InboundFile, InboundReceipt, inbound_document_receive
from docflow.exchange.models import ExchangeClient
from docflow.exchange.outbound import document_envelope, status_messages
from docflow.exchange.statuses import REPORTABLE, delivery_status_receive
from docflow.routing.models import Delivery, IncomingDocument, StatusReport

EDOC, STATUS = "edoc", "status"
BUSINESS_DOC_TYPE = {"new": "0", "revoke": "1", "update": "2", "replace": "3"}


# Identifiers ---------------------------------------------------------------------------------

def identifier(*, organ_id: str, issued: date | None, notation: str) -> str:
    """``OrganId,yyyy/MM/dd,number/notation``: how every system on the axis names a document."""
    return f"{organ_id},{issued.strftime('%Y/%m/%d') if issued else ''},{notation}"


def document_identifier(document: OutgoingDocument) -> str:
    issued = timezone.localdate(document.issued_at) if document.issued_at else None
    return identifier(organ_id=document.agency.code, issued=issued, notation=document.notation)


def original_identifier(incoming: IncomingDocument) -> str:
    """The identifier of the external sender's document that ``incoming`` is our copy of."""
    return identifier(organ_id=incoming.sender_code, issued=incoming.issued_on, notation=incoming.notation)


# Out -----------------------------------------------------------------------------------------

def document_package(*, delivery: Delivery, business: str = "new", reason: str = "") -> bytes:
    """The edoc package of ``delivery`` (loaded by ``outbound.sent_deliveries``)."""
    document = delivery.document
    envelope = document_envelope(delivery)
    files = []
    if document.pdf_sha256:
        with stored_file_open(sha256=document.pdf_sha256) as fh:
            files.append((official_pdf_filename(document), PDF, fh.read()))
    for a in document.attachments.all():
        with stored_file_open(sha256=a.file_id) as fh:
            files.append((a.name, a.content_type, fh.read()))
    raw = edxml.edxml_render(envelope=envelope, trace=[(envelope["sender_code"], delivery.created_at)],
                             attachments=files)
    if business == "new":
        return raw
    root = ElementTree.fromstring(raw)
    traces = root.find(f"{{{edxml_tables.NAMESPACE}}}edXMLHeader/{{{edxml_tables.NAMESPACE}}}TraceHeaderList")
    bussiness = ElementTree.SubElement(traces, f"{{{edxml_tables.NAMESPACE}}}Bussiness")
    ElementTree.SubElement(bussiness, f"{{{edxml_tables.NAMESPACE}}}BussinessDocType").text = BUSINESS_DOC_TYPE[business]
    ElementTree.SubElement(bussiness, f"{{{edxml_tables.NAMESPACE}}}BussinessDocReason").text = reason
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def status_package(*, report: StatusReport) -> bytes:
    """The status package telling the external sender where our handling of its document is."""
    message = status_messages([report])[0]
    return _status_render(
        document_id=original_identifier(report.incoming), sender_code=report.incoming.sender_code,
        notation=report.incoming.notation, issued=report.incoming.issued_on,
        from_code=report.agency.code, from_name=report.agency.name, status_code=report.status_code,
        description=message["description"], staff=message["staff"], timestamp=report.created_at,
    )


# In ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    identifier: str
    receipt: InboundReceipt


def package_receive(*, raw: bytes, client: ExchangeClient, ours: set[str]) -> Received:
    """An edoc package from the axis becomes one incoming copy per recipient of ours (``ours``:
    the codes of our agencies; the package may name other systems' agencies too)."""
    envelope, files = edxml.edxml_envelope(raw)
    envelope = _checked(envelope)
    envelope["recipients"] = [code for code in dict.fromkeys(envelope["recipients"]) if code in ours]
    if not envelope["recipients"]:
        raise ValidationError({"To/OrganId": ["Gói tin không gửi cơ quan nào trong hệ thống."]})
    receipt = inbound_document_receive(
        client=client, envelope=envelope, fmt="edxml",
        files=[InboundFile(name=name, data=data) for name, _type, data in files],
    )
    number = envelope.get("number")
    notation = envelope["notation"] if not number or "/" in envelope["notation"] else f"{number}/{envelope['notation']}"
    found = _document_id(raw) or identifier(organ_id=envelope["sender_code"], issued=envelope["issued_at"],
                                            notation=notation)
    return Received(identifier=found, receipt=receipt)


def package_identifier(raw: bytes) -> str:
    """The DocumentId a package carries (empty when it has none)."""
    return _document_id(raw)


def status_receive(*, raw: bytes, client: ExchangeClient) -> tuple[str, Delivery]:
    """A status package about one of our documents updates that recipient's Delivery row;
    returns the identifier it named and the row."""
    status = _status_parse(raw)
    if status["sender_code"] != client.external_agency.code:
        raise ValidationError({"From/OrganId": ["Mã cơ quan gửi trạng thái không khớp với gói tin trên trục."]})
    if status["status_code"] not in REPORTABLE:
        raise ValidationError({"MessageStatus/StatusCode": [
            f"Mã trạng thái {status['status_code']} không hợp lệ: chỉ {', '.join(REPORTABLE)}."
        ]})
    document_id = _our_document(status["document_id"])
    delivery = delivery_status_receive(
        client=client, document_id=document_id, status_code=status["status_code"],
        description=status["description"], staff=status["staff"],
    )
    return status["document_id"], delivery


# Stand-ins for the format side (replaced at merge) ---------------------------------------------

def _checked(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope's required fields and types, as the exchange's envelope serializer wants them."""
    errors: dict[str, list[str]] = {}
    for field in ("sender_code", "notation", "subject"):
        if not envelope.get(field):
            errors[f"MessageHeader/{edxml.FIELD_ELEMENTS[field]}"] = ["Thiếu trường bắt buộc."]
    if envelope.get("doc_type") not in TYPES_BY_CODE:
        errors["MessageHeader/DocumentType"] = ["Loại văn bản không được hỗ trợ."]
    if not (envelope.get("signer") or {}).get("full_name"):
        errors["MessageHeader/SignerInfo/FullName"] = ["Thiếu người ký."]
    out = {**envelope, "urgency": envelope.get("urgency", "normal"), "secrecy": "normal",
           "place": envelope.get("place", ""), "content": envelope.get("content", "")}
    out["signer"] = {"position": "", "competence": "", **(envelope.get("signer") or {})}
    out.pop("reply_to", None)
    for field, required in (("issued_at", True), ("due_date", False)):
        try:
            out[field] = date.fromisoformat(envelope[field]) if envelope.get(field) else None
        except ValueError:
            out[field] = None
        if required and out[field] is None:
            errors[f"MessageHeader/{edxml.FIELD_ELEMENTS.get(field, 'DueDate')}"] = ["Ngày không hợp lệ."]
    try:
        out["number"] = int(envelope["number"]) if envelope.get("number") else None
    except ValueError:
        errors["MessageHeader/Code/CodeNumber"] = ["Số văn bản phải là số."]
    if errors:
        raise ValidationError(errors)
    return out


def _document_id(raw: bytes) -> str:
    root = edxml.xml_parse(raw)
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "DocumentId" and (element.text or "").strip():
            return element.text.strip()
    return ""


def _our_document(document_id: str) -> UUID:
    """Our document a status names: by our id, or by its ``OrganId,yyyy/MM/dd,notation``."""
    try:
        return UUID(document_id)
    except ValueError:
        pass
    parts = document_id.split(",", 2)
    if len(parts) == 3:
        try:
            issued = datetime.strptime(parts[1], "%Y/%m/%d").date()
        except ValueError:
            issued = None
        found = (
            OutgoingDocument.objects.with_scopes_disabled()
            .filter(agency__code=parts[0], notation=parts[2], issued_at__isnull=False)
            .values_list("id", "issued_at")
        )
        for pk, issued_at in found:
            if issued is None or timezone.localdate(issued_at) == issued:
                return pk
    raise NotFound("Không tìm thấy văn bản mà gói trạng thái nhắc đến.")


_STATUS_NS = edxml_tables.NAMESPACE


def _status_render(*, document_id: str, sender_code: str, notation: str, issued: date | None,
                   from_code: str, from_name: str, status_code: str, description: str, staff: str,
                   timestamp: datetime) -> bytes:
    def sub(parent, name, text=None):
        element = ElementTree.SubElement(parent, f"{{{_STATUS_NS}}}{name}")
        if text is not None:
            element.text = str(text)
        return element

    ElementTree.register_namespace("edXML", _STATUS_NS)
    root = ElementTree.Element(f"{{{_STATUS_NS}}}Status")
    status = sub(sub(root, "Header"), "MessageStatus")
    response_for = sub(status, "ResponseFor")
    sub(response_for, "OrganId", sender_code)
    sub(response_for, "Code", notation)
    sub(response_for, "PromulgationDate", issued.strftime("%Y/%m/%d") if issued else "")
    sub(response_for, "DocumentId", document_id)
    sender = sub(status, "From")
    sub(sender, "OrganId", from_code)
    sub(sender, "OrganName", from_name)
    sub(status, "StatusCode", status_code)
    sub(status, "Description", description)
    sub(status, "Timestamp", timezone.localtime(timestamp).strftime("%Y/%m/%d %H:%M:%S"))
    staff_info = sub(status, "StaffInfo")
    sub(staff_info, "Department", "")
    sub(staff_info, "Staff", staff)
    sub(staff_info, "Mobile", "")
    sub(staff_info, "Email", "")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _status_parse(raw: bytes) -> dict[str, str]:
    root = edxml.xml_parse(raw)
    found: dict[str, str] = {}
    for path, key in (("ResponseFor/DocumentId", "document_id"), ("From/OrganId", "sender_code"),
                      ("StatusCode", "status_code"), ("Description", "description"),
                      ("StaffInfo/Staff", "staff")):
        found[key] = ""
        for element in root.iter():
            if element.tag.rsplit("}", 1)[-1] == "MessageStatus":
                node = element
                for name in path.split("/"):
                    node = next((c for c in node if c.tag.rsplit("}", 1)[-1] == name), None)
                    if node is None:
                        break
                found[key] = (node.text or "").strip() if node is not None else ""
    for key, element in (("document_id", "ResponseFor/DocumentId"), ("status_code", "StatusCode"),
                         ("sender_code", "From/OrganId")):
        if not found[key]:
            raise ValidationError({f"MessageStatus/{element}": ["Thiếu trường bắt buộc."]})
    return found
