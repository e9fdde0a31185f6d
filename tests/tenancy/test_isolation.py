"""Two agencies with the same data never see each other's rows; no scope, no rows."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django_scopes import ScopeError

from docflow.api.models import IdempotencyRecord
from docflow.audit.models import AuditChainHead, AuditEvent
from docflow.audit.services import event_record
from docflow.core.scoping import cross_agency
from docflow.exchange.axis.models import AxisMessage
from docflow.exchange.models import WebhookDelivery
from docflow.notifications.models import Notification, NotificationDigest, NotificationPreference
from docflow.notifications.services import notification_create, notification_preference_set
from docflow.routing.models import (
    AgencyHandlingSettings,
    Assignment,
    HandlingNote,
    IncomingAttachment,
    IncomingDocument,
    StatusReport,
)
from docflow.tenancy.models import Agency, AgencyAlias, Membership, Unit
from docflow.core.scoping import agency_scope
from tests.exchange.factories import webhook_delivery
from docflow.documents.models import (
    ApprovalStep,
    Attachment,
    OutgoingDocument,
    Register,
    RegisterCounter,
)
from docflow.documents.signing.models import SigningCredential, SigningRequest
from docflow.reports.models import OversightMonth, StatisticsReport
from docflow.reports.services import statistics_report_request
from docflow.routing.models import Delivery
from tests.factories import (
    ApprovalStepFactory,
    AttachmentFactory,
    DeliveryFactory,
    MembershipFactory,
    OutgoingDocumentFactory,
    RegisterCounterFactory,
    RegisterFactory,
    UnitFactory,
)
from docflow.routing.models import IntakeScan, KnownSender
from tests.routing.factories import IncomingAttachmentFactory, IncomingDocumentFactory, StoredFileFactory
from docflow.records.models import (
    ArchiveTransfer,
    ArchiveTransferFile,
    FileDocument,
    FileListEntry,
    FileListHeading,
    RetentionRule,
    WorkFile,
)
from tests.records.factories import WorkFileFactory, filled

# Every tenant-owned model and how to make one row of it for an agency. A model with an
# ``agency`` key that is missing here fails test_every_tenant_model_is_covered.
BUILDERS = {}


def builds(model):
    def register(fn):
        BUILDERS[model] = fn
        return fn
    return register


@builds(Unit)
def _unit(agency, n):
    return UnitFactory(agency=agency, symbol=f"P{n}")


@builds(Membership)
def _membership(agency, n):
    return MembershipFactory(agency=agency, staff=True)


@builds(AuditEvent)
def _event(agency, n):
    unit = UnitFactory(agency=agency, symbol=f"E{n}")
    return event_record(agency_id=agency.pk, action="test", object_type="unit", object_id=unit.uuid)


@builds(AuditChainHead)
def _chain_head(agency, n):
    _event(agency, 100 + n)  # one head per agency: each build moves the same row
    with cross_agency("system"):
        return AuditChainHead.objects.get(agency=agency)


@builds(Notification)
def _notification(agency, n):
    member = MembershipFactory(agency=agency, staff=True)
    return notification_create(
        agency_id=agency.pk, recipient_id=member.user_id, kind="test", title="Thử",
        dedup_key=f"test:{agency.pk}:{n}", email=False,
    )


@builds(IncomingDocument)
def _incoming(agency, n):
    return IncomingDocumentFactory(agency=agency)


@builds(IncomingAttachment)
def _incoming_attachment(agency, n):
    return IncomingAttachmentFactory(incoming=IncomingDocumentFactory(agency=agency))


@builds(KnownSender)
def _known_sender(agency, n):
    with cross_agency("system"):
        return KnownSender.objects.create(agency=agency, name=f"Công an huyện {n}", code=f"CA{n}")


@builds(IntakeScan)
def _intake_scan(agency, n):
    with cross_agency("system"):
        stored = StoredFileFactory()
        return IntakeScan.objects.create(agency=agency, name=f"quet-{n}.pdf", original=stored,
                                         uploaded_by=MembershipFactory(agency=agency, clerk=True).user)


@builds(Assignment)
def _assignment(agency, n):
    leader = MembershipFactory(agency=agency, leader=True).user
    with cross_agency("system"):
        return Assignment.objects.create(
            agency=agency, incoming=IncomingDocumentFactory(agency=agency), role="lead",
            user=MembershipFactory(agency=agency, staff=True).user, assigned_by=leader,
        )


@builds(HandlingNote)
def _handling_note(agency, n):
    author = MembershipFactory(agency=agency, staff=True).user
    with cross_agency("system"):
        return HandlingNote.objects.create(
            agency=agency, incoming=IncomingDocumentFactory(agency=agency), author=author,
            kind="progress", text="Đang xử lý",
        )


@builds(AgencyHandlingSettings)
def _handling_settings(agency, n):
    with cross_agency("system"):  # one row per agency: both calls return it
        return AgencyHandlingSettings.objects.get_or_create(agency=agency)[0]


@builds(StatusReport)
def _status_report(agency, n):
    incoming = IncomingDocumentFactory(agency=agency)
    with cross_agency("system"):
        return StatusReport.objects.create(
            agency=agency, incoming=incoming, sender_code=incoming.sender_code, status_code="03"
        )


@builds(NotificationPreference)
def _notification_preference(agency, n):
    member = MembershipFactory(agency=agency, staff=True)
    return notification_preference_set(
        agency_id=agency.pk, user_id=member.user_id, kind=f"test{n}", in_app=True, email=False
    )


@builds(NotificationDigest)
def _notification_digest(agency, n):
    member = MembershipFactory(agency=agency, staff=True)
    with cross_agency("system"):
        return NotificationDigest.objects.create(agency=agency, user=member.user, day=datetime.date(2026, 12, 1 + n))


@builds(WebhookDelivery)
def _webhook_delivery(agency, n):
    return webhook_delivery(agency=agency)


@builds(Register)
def _register(agency, n):
    return RegisterFactory(agency=agency)


@builds(RegisterCounter)
def _register_counter(agency, n):
    return RegisterCounterFactory(register=RegisterFactory(agency=agency))


@builds(OutgoingDocument)
def _outgoing(agency, n):
    return OutgoingDocumentFactory(agency=agency)


@builds(Attachment)
def _attachment(agency, n):
    return AttachmentFactory(document=OutgoingDocumentFactory(agency=agency))


@builds(Delivery)
def _delivery(agency, n):
    return DeliveryFactory(document=OutgoingDocumentFactory(agency=agency, state="issued"))


@builds(ApprovalStep)
def _approval_step(agency, n):
    return ApprovalStepFactory(agency=agency, order=n + 1)


@builds(StatisticsReport)
def _statistics_report(agency, n):
    leader = MembershipFactory(agency=agency, leader=True)
    return statistics_report_request(
        actor=leader, first=datetime.date(2026, 1, 1), last=datetime.date(2026, 1, 31)
    )


@builds(OversightMonth)
def _oversight_month(agency, n):
    with cross_agency("system"):  # written by the rollup's rebuild for every agency at once
        return OversightMonth.objects.create(agency=agency, month=datetime.date(2026, 1 + n, 1), received=n,
                                             built_on=datetime.date(2026, 6, 1))


@builds(IdempotencyRecord)
def _idempotency_record(agency, n):
    with cross_agency("system"):
        return IdempotencyRecord.objects.create(
            agency=agency, principal="user:1", key=f"key-{n}", request_hash="0" * 64
        )


@builds(SigningCredential)
def _signing_credential(agency, n):
    with cross_agency("system"):
        return SigningCredential.objects.create(
            agency=agency, user=MembershipFactory(agency=agency, leader=True).user, kind="external",
            certificate_der=b"0",
        )


@builds(SigningRequest)
def _signing_request(agency, n):
    from django.utils import timezone

    from docflow.documents.files import stored_file_put_bytes

    with cross_agency("system"):
        return SigningRequest.objects.create(
            agency=agency, user=MembershipFactory(agency=agency, leader=True).user,
            document_id=OutgoingDocumentFactory(agency=agency).pk,
            prepared=stored_file_put_bytes(data=b"%PDF prepared", content_type="application/pdf"),
            digest=b"0" * 32, md_algorithm="sha256", reserved_start=0, reserved_end=1,
            expires_at=timezone.now(),
        )


@builds(RetentionRule)
def _retention_rule(agency, n):
    with cross_agency("system"):
        return RetentionRule.objects.create(agency=agency, code=f"9.{n}", name="Hồ sơ thử", years=10)


@builds(FileListHeading)
def _file_heading(agency, n):
    with cross_agency("system"):
        return FileListHeading.objects.create(agency=agency, year=2026, position=n, title=f"Đề mục {n}")


@builds(FileListEntry)
def _file_entry(agency, n):
    with cross_agency("system"):
        return FileListEntry.objects.create(agency=agency, year=2026, code=f"{n}.VP", title="Hồ sơ thử")


@builds(WorkFile)
def _work_file(agency, n):
    return WorkFileFactory(agency=agency)


@builds(FileDocument)
def _file_document(agency, n):
    with cross_agency("system"):
        return filled(WorkFileFactory(agency=agency), 1).documents.get()


@builds(ArchiveTransfer)
def _archive_transfer(agency, n):
    with cross_agency("system"):
        return ArchiveTransfer.objects.create(agency=agency, requested_by=MembershipFactory(agency=agency).user)


@builds(ArchiveTransferFile)
def _archive_transfer_file(agency, n):
    transfer = _archive_transfer(agency, n)
    with cross_agency("system"):
        return ArchiveTransferFile.objects.create(agency=agency, transfer=transfer, position=1,
                                                  work_file=WorkFileFactory(agency=agency))


@builds(AxisMessage)
def _axis_message(agency, n):
    with cross_agency("system"):
        return AxisMessage.objects.create(agency=agency, direction="out", kind="edoc", counterpart_code="000.00.12.H52",
                                          state="pending", dedup_key=f"isolation:{n}")


def tenant_models():
    return [
        m for m in apps.get_models()
        if any(f.name == "agency" and f.is_relation for f in m._meta.get_fields()) and m not in DIRECTORY_MODELS
    ]


# The addressing directory, read by every agency: agencies and the old codes that reach them.
DIRECTORY_MODELS = (Agency, AgencyAlias)


def test_every_tenant_model_is_covered():
    """A new tenant model must use the scoped manager and be added to BUILDERS."""
    missing = {m.__name__ for m in tenant_models()} - {m.__name__ for m in BUILDERS}
    assert not missing, f"add builders for {missing}"
    for model in tenant_models():
        assert hasattr(model.objects, "with_scope"), f"{model.__name__} is not scoped"


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_scope_of_agency_a_never_returns_rows_of_b(model, agency_a, agency_b):
    mine = [BUILDERS[model](agency_a, i) for i in range(2)]
    theirs = [BUILDERS[model](agency_b, i) for i in range(2)]
    with agency_scope(agency_a):
        ids = set(model.objects.values_list("pk", flat=True))
        assert ids == {row.pk for row in mine}
        assert not model.objects.filter(pk__in=[row.pk for row in theirs]).exists()
    with agency_scope(agency_b):
        assert set(model.objects.values_list("pk", flat=True)) == {row.pk for row in theirs}


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_query_without_scope_raises(model, agency_a):
    BUILDERS[model](agency_a, 0)
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(agency=agency_a).count()


def test_agency_scope_refuses_none():
    with pytest.raises(ValueError):
        with agency_scope(None):
            pass


@pytest.mark.django_db
def test_audit_log_is_append_only(agency_a):
    event = _event(agency_a, 0)
    with cross_agency("system"):
        from docflow.audit.models import AppendOnlyError

        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(action="x")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).delete()
