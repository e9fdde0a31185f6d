"""Sending to the national axis, polling it, and keeping its directory; every exchange logged.

Which recipients travel by the axis (``axis_carries``): with the connector on, an active
external agency that holds no active Docflow exchange API key. An agency with a key talks to
our exchange API (pull and webhooks) as before; the others are on other vendors' systems, which
only the axis reaches. The directory sync makes the axis's agencies our external agencies.

Every package is one ``AxisMessage`` row, found again by its ``dedup_key``: a document to one
recipient (per business: new, revocation…), one status report, one axis message received. Sending
twice sends once; a message polled twice is received once. The work of sending is the outbox
rows that issuing, status reports and recall already record (``workers/axis_tasks.py``); an axis
that is down leaves the row pending with its error, and the retries and the outbox sweeper send
it when the axis is back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from docflow.audit.services import EventSpec, events_record
from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.core.scoping import agency_scope
from docflow.core.services import savepoint, service_transaction
from docflow.exchange.axis import packages
from docflow.exchange.axis.client import DONE, FAIL, AxisClient, AxisRefused, AxisUnavailable, axis_client
from docflow.exchange.axis.models import AxisMessage, Business, Direction, Kind, State
from docflow.exchange.keys import key_hash, secret_generate
from docflow.exchange.models import ExchangeClient
from docflow.exchange.outbound import sent_deliveries
from docflow.outbox.services import outbox_enqueue_many
from docflow.routing.models import Delivery, StatusReport
from docflow.routing.status import INCOMING_OBJECT, OUTGOING_OBJECT
from docflow.tenancy.models import Agency, AgencyLevel, agency_code_validator

log = logging.getLogger(__name__)

SEND_TASK = "axis.document_send"
AXIS_LABEL = "Trục liên thông văn bản quốc gia"
CLAIM_SECONDS = 120  # longer than one send's timeout: a crashed sender's claim runs out
WRONG_PACKAGE = (ValidationError, NotPermitted, NotFound, InvalidState)


class AxisBusy(AxisUnavailable):
    """Another worker is sending this package right now; try again after its claim."""


def axis_enabled() -> bool:
    return axis_client() is not None


def axis_carries(*, external_agency_id: int) -> bool:
    """Whether what we send to this agency goes by the axis (the rule in the module docstring)."""
    if not axis_enabled():
        return False
    return (
        Agency.objects.filter(pk=external_agency_id, is_external=True, is_active=True).exists()
        and not ExchangeClient.objects.filter(external_agency_id=external_agency_id, revoked_at__isnull=True).exists()
    )


def report_via_axis(*, agency_id: int, report_id: UUID | str) -> bool:
    """Whether this status report goes back to its sender by the axis."""
    sender_id = (
        StatusReport.objects.with_scope(agency=agency_id).filter(id=report_id)
        .values_list("incoming__sender_agency_id", flat=True).first()
    )
    return sender_id is not None and axis_carries(external_agency_id=sender_id)


# The directory -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DirectorySync:
    created: int
    renamed: int
    skipped: int


def axis_directory_sync() -> DirectorySync:
    """Make every agency the axis lists one of our external agencies, in one transaction.

    Idempotent: a known code is renamed when the axis renamed it, never duplicated. Codes of
    our own agencies, and codes that are not electronic identifiers, are skipped (counted).
    Nothing happens while the connector is off.
    """
    client = axis_client()
    if client is None:
        return DirectorySync(created=0, renamed=0, skipped=0)
    listed = {}
    skipped = 0
    for entry in client.agencies():
        try:
            agency_code_validator(entry.code)
        except ValidationError:
            skipped += 1
            continue
        if entry.name:
            listed[entry.code] = entry.name[:255]
        else:
            skipped += 1
    with service_transaction():
        known = {a.code: a for a in Agency.objects.select_for_update().filter(code__in=listed)}
        renamed = [a for code, a in known.items() if a.is_external and a.name != listed[code]]
        skipped += sum(1 for a in known.values() if not a.is_external)
        for agency in renamed:
            agency.name = listed[agency.code]
            agency.save(update_fields=["name", "search_text"])
        new = [Agency(code=code, name=name, is_external=True, level=AgencyLevel.DEPARTMENT)
               for code, name in listed.items() if code not in known]
        for agency in new:
            agency.full_clean(validate_unique=False)
            agency.save()
        events_record(events=[
            EventSpec(agency_id=a.pk, action="axis.directory_synced", object_type="agency", object_id=a.uuid,
                      actor_label=AXIS_LABEL, data={"code": a.code, "name": a.name, "created": a in new})
            for a in [*new, *renamed]
        ])
    return DirectorySync(created=len(new), renamed=len(renamed), skipped=skipped)


def axis_carrier(*, external_agency: Agency) -> ExchangeClient:
    """The exchange client that packages from this agency over the axis are recorded under.

    Made revoked, with a key nobody holds: it never authenticates an API request, and it does not
    count as the agency having an API key (so the agency stays reached by the axis).
    """
    prefix = f"axis{external_agency.pk}"[:16]
    found = ExchangeClient.objects.filter(key_prefix=prefix).first()
    if found is not None:
        return found
    try:
        with savepoint():
            return ExchangeClient.objects.create(
                external_agency=external_agency, key_prefix=prefix, key_sha256=key_hash(secret_generate()),
                signing_secret=secret_generate(), revoked_at=timezone.now(),
            )
    except IntegrityError:
        return ExchangeClient.objects.get(key_prefix=prefix)


# Sending -------------------------------------------------------------------------------------

def axis_document_send(
    *, agency_id: int, document_id: UUID | str, external_agency_id: int, business: str = Business.NEW,
) -> bool:
    """Send our agency's document to one external agency by the axis, once.

    True when the axis has it (now or before); False when there is nothing to send or the axis
    refused the package (the row says why). Raises ``AxisUnavailable`` when the axis cannot take
    it now: the row stays pending with the error and its tries counted.
    """
    delivery = (
        sent_deliveries(external_agency_id=external_agency_id)
        .filter(agency_id=agency_id, document_id=document_id).select_related("recipient_agency").first()
    )
    if delivery is None:
        return False
    document = delivery.document
    identifier = packages.outgoing_identifier(document)
    message = _message(
        agency_id=agency_id, dedup_key=f"out:edoc:{business}:{document.pk}:{delivery.recipient_code}",
        direction=Direction.OUT, kind=Kind.EDOC, business=business, document_identifier=identifier,
        counterpart_id=external_agency_id, counterpart_code=delivery.recipient_code, object_id=document.pk,
        state=State.PENDING,
    )
    return _send(
        message, sender_code=document.agency.code, message_type=packages.EDOC,
        build=lambda: packages.document_package(delivery=delivery, business=business),
        event_object=(OUTGOING_OBJECT, document.pk),
    )


def axis_status_send(*, agency_id: int, report_id: UUID | str) -> bool:
    """Send one status report back to the external sender by the axis, once; then mark it sent.

    The same guarantees and errors as ``axis_document_send``.
    """
    report = (
        StatusReport.objects.with_scope(agency=agency_id).select_related("agency", "incoming")
        .filter(id=report_id).first()
    )
    if report is None or report.incoming.sender_agency_id is None:
        return False
    message = _message(
        agency_id=agency_id, dedup_key=f"out:status:{report.pk}", direction=Direction.OUT, kind=Kind.STATUS,
        business=Business.STATUS, document_identifier=packages.incoming_identifier(report.incoming),
        counterpart_id=report.incoming.sender_agency_id, counterpart_code=report.incoming.sender_code,
        object_id=report.pk, state=State.PENDING, status_code=report.status_code,
    )
    sent = _send(message, sender_code=report.agency.code, message_type=packages.STATUS,
                 build=lambda: packages.status_package(report=report),
                 event_object=(INCOMING_OBJECT, report.incoming_id))
    if sent:
        StatusReport.objects.with_scope(agency=agency_id).filter(id=report.pk, sent_at__isnull=True).update(
            sent_at=timezone.now())
    return sent


def axis_recall_enqueue(*, agency_id: int, document_id: UUID | str) -> int:
    """Our recall of an issued document goes to each of its recipients on the axis as a
    revocation package: one outbox row each (recorded once); returns how many were recorded."""
    if not axis_enabled():
        return 0
    deliveries = list(
        Delivery.objects.with_scope(agency=agency_id).filter(document_id=document_id, recipient_agency__is_external=True)
        .values_list("recipient_agency_id", flat=True)
    )
    carried = [pk for pk in deliveries if axis_carries(external_agency_id=pk)]
    with service_transaction():
        rows = outbox_enqueue_many(tasks=[
            {"task_name": SEND_TASK, "queue": "delivery", "dedup_key": f"axis-revoke:{document_id}:{pk}",
             "kwargs": {"agency_id": agency_id, "document_id": str(document_id), "external_agency_id": pk,
                        "business": Business.REVOCATION}}
            for pk in carried
        ])
    return len(rows)


def _message(*, agency_id: int, dedup_key: str, **fields) -> AxisMessage:
    with agency_scope(agency_id):
        found = AxisMessage.objects.filter(dedup_key=dedup_key).first()
        if found is not None:
            return found
        message = AxisMessage(agency_id=agency_id, dedup_key=dedup_key, **fields)
        message.full_clean(validate_constraints=False)
        try:
            with savepoint():
                message.save(force_insert=True)
        except IntegrityError:
            return AxisMessage.objects.get(dedup_key=dedup_key)  # a concurrent send recorded it
        return message


def _send(message: AxisMessage, *, sender_code: str, message_type: str, build, event_object) -> bool:
    if message.state == State.SENT:
        return True
    if message.state == State.FAILED:
        return False
    client = _client()
    rows = AxisMessage.objects.with_scope(agency=message.agency_id)
    now = timezone.now()
    claimed = rows.filter(id=message.pk, state=State.PENDING).exclude(claimed_until__gt=now).update(
        claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1,
    )
    if not claimed:
        if rows.filter(id=message.pk, state=State.SENT).exists():
            return True
        raise AxisBusy("Gói tin đang được một tiến trình khác gửi.")
    try:
        remote_id = client.send(package=build(), sender_code=sender_code, to_codes=[message.counterpart_code],
                                message_type=message_type)
    except AxisUnavailable as exc:
        rows.filter(id=message.pk).update(last_error=str(exc)[:500], claimed_until=None)
        raise
    except (AxisRefused, *WRONG_PACKAGE) as exc:
        rows.filter(id=message.pk).update(state=State.FAILED, last_error=_error_text(exc), claimed_until=None)
        log.warning("axis: %s refused: %s", message.dedup_key, exc)
        return False
    with service_transaction():
        rows.filter(id=message.pk).update(
            state=State.SENT, remote_id=remote_id[:100], last_error="", claimed_until=None, done_at=timezone.now(),
        )
        events_record(events=[EventSpec(
            agency_id=message.agency_id, action=f"axis.{message.kind}_sent", object_type=event_object[0],
            object_id=event_object[1], actor_label=AXIS_LABEL,
            data={"to": message.counterpart_code, "remote_id": remote_id, "business": message.business,
                  "document_identifier": message.document_identifier, "attempts": message.attempts + 1},
        )])
    return True


# Receiving -----------------------------------------------------------------------------------

@dataclass
class PollResult:
    received: int = 0
    duplicates: int = 0
    failed: int = 0
    unavailable: int = 0


def axis_poll() -> PollResult:
    """Take every package waiting for us on the axis: documents become incoming copies, statuses
    update our deliveries; the axis hears ``done`` (or ``fail``) only after our commit.

    A package already taken (the ack was lost, or it was polled twice) is acknowledged again
    without a second copy; one the axis lists again after a failure is tried again. Returns
    counts; an axis that cannot answer now, or a package that cannot be fetched now, waits for
    the next poll (a poll never raises for the axis being away, so beat never piles up retries).
    """
    client = axis_client()
    result = PollResult()
    if client is None:
        return result
    ours = set(Agency.objects.filter(is_external=False, is_active=True).values_list("code", flat=True))
    for message_type in (packages.EDOC, packages.STATUS):
        try:
            items = client.received(message_type=message_type)
        except (AxisUnavailable, AxisRefused) as exc:  # the next poll (a minute later) tries again
            log.warning("axis: cannot list received %s packages: %s", message_type, exc)
            result.unavailable += 1
            continue
        for item in items:
            try:
                outcome = _take(client, item, ours)
            except AxisUnavailable as exc:
                log.warning("axis: %s could not be taken now: %s", item.id, exc)
                result.unavailable += 1
                continue
            except AxisRefused as exc:  # the axis lists it but will not hand it over
                log.warning("axis: %s could not be fetched: %s", item.id, exc)
                result.failed += 1
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _take(client: AxisClient, item, ours: set[str]) -> str:
    """One listed package: received, duplicate or failed; the ack follows our commit."""
    kind = Kind.STATUS if item.message_type == packages.STATUS else Kind.EDOC
    agencies = [code for code in item.to_codes if code in ours]
    taken = AxisMessage.objects.cross_agency("exchange").filter(
        direction=Direction.IN, remote_id=item.id, state__in=(State.RECEIVED, State.APPLIED, State.DUPLICATE),
    ).exists()
    if taken:
        _ack(client, item, DONE)  # our commit stands; the first ack was lost
        return "duplicates"
    sender = _sender(item.sender_code)
    raw = client.get(remote_id=item.id, sha256=item.sha256)
    try:
        with service_transaction():
            # A package refused before and listed again is tried again: its old row gives way.
            AxisMessage.objects.cross_agency("exchange").filter(
                direction=Direction.IN, remote_id=item.id, state=State.FAILED).delete()
            if kind == Kind.STATUS:
                _status_in(raw, item, sender)
                outcome = "received"
            else:
                outcome = _edoc_in(raw, item, sender)
    except WRONG_PACKAGE as exc:
        _failed_in(item, kind, sender, agencies, exc)
        _ack(client, item, FAIL)
        return "failed"
    except IntegrityError:
        outcome = "duplicates"  # a concurrent poll took the same package first
    _ack(client, item, DONE)
    return outcome


def _ack(client: AxisClient, item, status: str) -> None:
    """After our commit. A lost ack is harmless: the axis lists the package again and the next
    poll finds it taken and acknowledges it once more."""
    try:
        client.update_status(remote_id=item.id, status=status)
    except (AxisUnavailable, AxisRefused) as exc:
        log.warning("axis: could not acknowledge %s (%s): %s", item.id, status, exc)


def _sender(code: str) -> Agency | None:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        try:
            agency_code_validator(code)
        except ValidationError:
            return None
        with service_transaction():
            agency, _ = Agency.objects.get_or_create(
                code=code, defaults={"name": code, "is_external": True, "level": AgencyLevel.DEPARTMENT})
    return agency if agency.is_external else None


def _edoc_in(raw: bytes, item, sender: Agency | None) -> str:
    """Through the exchange's inbound path: a new document (or update / replacement) becomes
    copies, a revocation sends our copies to 13, the same identifier again is a duplicate."""
    if sender is None:
        raise ValidationError({"From/OrganId": [f"{item.sender_code} không phải cơ quan ngoài hệ thống."]})
    package = packages.package_read(raw)
    received = packages.package_receive(package=package, client=axis_carrier(external_agency=sender))
    receipt = received.receipt
    copies = receipt.copies
    if receipt.duplicate:
        state, outcome = State.DUPLICATE, "duplicates"
    elif receipt.recall_requested:
        state, outcome = State.APPLIED, "received"
    else:
        state, outcome = State.RECEIVED, "received"
    _log_in(item, Kind.EDOC, sender, list(dict.fromkeys(c.agency_id for c in copies)), state,
            identifier=received.identifier, business=received.business,
            objects={c.agency_id: c.id for c in copies})
    return outcome


def _status_in(raw: bytes, item, sender: Agency | None) -> None:
    if sender is None:
        raise ValidationError({"From/OrganId": [f"{item.sender_code} không phải cơ quan ngoài hệ thống."]})
    identifier, delivery = packages.status_receive(raw=raw, client=axis_carrier(external_agency=sender))
    _log_in(item, Kind.STATUS, sender, [delivery.agency_id], State.APPLIED, identifier=identifier,
            objects={delivery.agency_id: delivery.pk}, status_code=delivery.status_code)


def _log_in(item, kind, sender, agency_ids, state, *, identifier="", business=Business.NEW, objects=None,
            status_code="", error=""):
    now = timezone.now()
    AxisMessage.objects.cross_agency("exchange").bulk_create([
        AxisMessage(
            agency_id=agency_id, direction=Direction.IN, kind=kind,
            business=Business.STATUS if kind == Kind.STATUS else business,
            document_identifier=identifier[:255], counterpart=sender, counterpart_code=item.sender_code[:13],
            object_id=(objects or {}).get(agency_id), remote_id=item.id[:100], state=state,
            status_code=status_code, attempts=1, last_error=error[:500], dedup_key=f"in:{item.id}"[:300],
            done_at=now,
        )
        for agency_id in agency_ids
    ])


def _failed_in(item, kind, sender, codes: list[str], exc: Exception) -> None:
    """A package we cannot take is logged for our agencies it was addressed to (when any)."""
    agency_ids = list(Agency.objects.filter(code__in=codes, is_external=False).values_list("pk", flat=True))
    AxisMessage.objects.cross_agency("exchange").filter(
        direction=Direction.IN, remote_id=item.id, state=State.FAILED).delete()
    _log_in(item, kind, sender, agency_ids, State.FAILED, error=_error_text(exc))
    log.warning("axis: package %s from %s refused: %s", item.id, item.sender_code, exc)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())[:500]
    return str(getattr(exc, "message", exc))[:500]


def _client() -> AxisClient:
    client = axis_client()
    if client is None:
        raise AxisRefused("Chưa cấu hình trục liên thông (DOCFLOW_AXIS_URL, DOCFLOW_AXIS_SYSTEM_ID, DOCFLOW_AXIS_SECRET).")
    return client
