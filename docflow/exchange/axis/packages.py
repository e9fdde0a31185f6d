"""The axis connector's one door to the edXML format: every package it sends or receives passes here.

The connector builds and reads no XML itself; this module only delegates to the format side:

- out: ``outbound.delivery_package(delivery, business=...)`` (the signed axis form, Bussiness
  block new / revocation / update / replacement, the official PDF) and
  ``outbound.report_status_package(report)`` (the status package with StaffInfo);
- in: ``edxml.edxml_package(raw)`` then ``inbound.inbound_document_receive(..., package=...)``,
  the same path as ``POST /api/v1/exchange/documents/`` with XML: duplicates (same identifier
  and Bussiness type from the same sender) answered by the first receipt, ResponseFor resolved,
  a revocation sending our copies to 13, update / replacement marking the copies concerned;
  ``edxml_status.status_package_parse(raw)`` then ``statuses.sent_document_for`` and
  ``statuses.delivery_status_receive``, the same path as ``POST /api/v1/exchange/status/``;
- identifiers: ``identifier.outgoing_identifier`` (our issued document) and
  ``identifier.incoming_identifier`` (the sender's document a copy is of), re-exported here.

``ValidationError`` (or ``NotPermitted`` / ``NotFound``) from any of them means the package is
wrong: the connector records it as failed and tells the axis so; it never retries it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from docflow.exchange.edxml import Package, edxml_error_keys, edxml_package
from docflow.exchange.envelope import EnvelopeInvalid, envelope_clean
from docflow.exchange.edxml_status import staff_line, status_package_parse
from docflow.exchange.edxml_tables import BUSINESS_TYPES
from docflow.exchange.identifier import incoming_identifier, outgoing_identifier  # noqa: F401 (re-exported)
from docflow.exchange.inbound import InboundFile, InboundReceipt, inbound_document_receive
from docflow.exchange.models import ExchangeClient
from docflow.exchange.outbound import delivery_package, report_status_package
from docflow.exchange.statuses import delivery_status_receive, sent_document_for
from docflow.routing.models import Delivery, StatusReport
from docflow.tenancy.selectors import agencies_for_codes

EDOC, STATUS = "edoc", "status"
BUSINESS_NAMES = tuple(BUSINESS_TYPES)  # the format's: new, revocation, update, replacement


# Out -----------------------------------------------------------------------------------------

def document_package(*, delivery: Delivery, business: str = "new") -> bytes:
    """The signed axis-form package of ``delivery`` (loaded by ``outbound.sent_deliveries``)."""
    if business not in BUSINESS_TYPES:
        raise ValueError(f"unknown Bussiness {business!r}: one of {', '.join(BUSINESS_TYPES)}")
    return delivery_package(delivery, business=business)


def status_package(*, report: StatusReport) -> bytes:
    """The status package telling the external sender where our handling of its document is."""
    return report_status_package(report)


# In ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    identifier: str
    business: str  # new, revocation, update, replacement
    receipt: InboundReceipt


def package_read(raw: bytes) -> Package:
    """The parsed package (its identifier, Bussiness block, signature check); 400 when malformed
    or when its signature does not verify."""
    return edxml_package(raw)


def package_receive(*, package: Package, client: ExchangeClient) -> Received:
    """An edoc package from the axis, through the exchange's inbound path: one incoming copy
    per recipient of ours (the package may name other systems' agencies too, which are left to
    them; an old code of a merged agency reaches its successor), or the revocation / update /
    replacement it carries."""
    try:  # the envelope's rules are those of the exchange API's edXML (exchange.envelope)
        envelope = envelope_clean(package.envelope)
    except EnvelopeInvalid as invalid:
        raise ValidationError(edxml_error_keys(invalid.errors)) from None
    codes = envelope["recipients"]
    ours = agencies_for_codes(codes=codes, internal_only=True)
    envelope["recipients"] = [code for code in codes if code in ours]
    if not envelope["recipients"] and package.business.kind != "revocation":
        raise ValidationError({"To/OrganId": ["Gói tin không gửi cơ quan nào trong hệ thống."]})
    receipt = inbound_document_receive(
        client=client, envelope=envelope, fmt="edxml", package=package,
        files=[InboundFile(name=name, data=data) for name, _type, data in package.files],
    )
    return Received(identifier=receipt.document.exchange_document_id, business=package.business.kind,
                    receipt=receipt)


def status_receive(*, raw: bytes, client: ExchangeClient) -> tuple[str, Delivery]:
    """A status package about one of our documents updates that recipient's Delivery row;
    returns the identifier it named and the row."""
    status = status_package_parse(raw)
    if status["sender_code"] and status["sender_code"] != client.external_agency.code:
        raise ValidationError({"From/OrganId": ["Mã cơ quan gửi trạng thái không khớp với gói tin trên trục."]})
    document_id = sent_document_for(client=client, identifier=status["document_id"])
    delivery = delivery_status_receive(
        client=client, document_id=document_id, status_code=status["status_code"],
        description=status["description"], staff=staff_line(status["staff_info"]),
    )
    return status["document_id"], delivery
