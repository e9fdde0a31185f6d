"""Delivery between agencies: the sender's per-recipient view and each recipient's own copy."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.core.text import fold
from docflow.documents.models import OutgoingDocument, Register, StoredFile
from docflow.documents.types import DocType, Secrecy, Urgency
from docflow.tenancy.models import Agency
from docflow.core.scoping import TenantManager, query_rls
from docflow.routing.texts import CopyText, copy_text_id, copy_texts_store


class Status(models.TextChoices):
    """edXML status codes (QCVN 102:2016) used both ways between agencies."""

    # One word per state on every page, in every notification and export: what has happened.
    DELIVERED = "01", _("Đã đến")
    REJECTED = "02", _("Đã từ chối")
    ACCEPTED = "03", _("Đã tiếp nhận")
    ASSIGNED = "04", _("Đã phân công")
    IN_PROGRESS = "05", _("Đang xử lý")
    COMPLETED = "06", _("Hoàn thành")
    RECALL_REQUESTED = "13", _("Yêu cầu thu hồi")
    RECALL_ACCEPTED = "15", _("Đã đồng ý thu hồi")
    RECALL_REFUSED = "16", _("Đã từ chối thu hồi")


STATUS_SLUGS = {
    Status.DELIVERED: "delivered",
    Status.REJECTED: "rejected",
    Status.ACCEPTED: "accepted",
    Status.ASSIGNED: "assigned",
    Status.IN_PROGRESS: "in_progress",
    Status.COMPLETED: "completed",
    Status.RECALL_REQUESTED: "recall_requested",
    Status.RECALL_ACCEPTED: "recall_accepted",
    Status.RECALL_REFUSED: "recall_refused",
}

# The recipient's copy is being handled (assigned or in progress): deadlines apply.
HANDLING_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)


class Medium(models.TextChoices):
    """How an incoming document reached us (paper intake names the last four)."""

    ELECTRONIC = "electronic", _("Điện tử")
    PAPER = "paper", _("Bưu chính, giấy")
    EMAIL = "email", _("Thư điện tử")
    FAX = "fax", _("Fax")
    HAND = "hand", _("Trực tiếp")


class Delivery(models.Model):
    """The sender's row for one recipient of an issued document: the status that comes back."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # No index of its own for either: (agency, document) and (document, recipient_code) start
    # with them, and an issue writes one row per recipient into every index of this table.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)  # the sender
    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    recipient_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_code = models.CharField(max_length=13)
    recipient_name = models.CharField(max_length=255)
    status_code = models.CharField(max_length=2, choices=Status.choices, default=Status.DELIVERED)
    status_note = models.TextField(blank=True)
    # The recipient's copy; a plain id so reading the sender's view joins no other agency's rows.
    incoming_id = models.UUIDField(null=True, blank=True)
    # The recipient's handling deadline and completion, reported with each status (status.py),
    # so the sender's statistics per recipient read only these rows.
    recipient_due_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("nơi nhận")
        verbose_name_plural = _("nơi nhận")
        constraints = [
            models.UniqueConstraint(fields=["document", "recipient_code"], name="delivery_unique")
        ]
        indexes = [models.Index(fields=["agency", "document"], name="delivery_doc_idx")]

    @property
    def status(self) -> str:
        return STATUS_SLUGS[Status(self.status_code)]


def is_overdue(*, status_code: str, due_date: datetime.date | None, today: datetime.date) -> bool:
    """The one rule of "quá hạn": being handled (04, 05) and past its due date; the due day
    itself is still in time. ``overdue_q`` is the same rule as a query."""
    return due_date is not None and status_code in HANDLING_STATUSES and due_date < today


def overdue_q(today: datetime.date, *, due: str = "due_date") -> models.Q:
    """``is_overdue`` as a filter (``due`` names the due-date column, e.g. of an annotation)."""
    return models.Q(status_code__in=HANDLING_STATUSES, **{f"{due}__lt": today})


# The fields IncomingDocument's search text is made of, in its order (``search_envelope``).
SEARCHED_COPY_FIELDS = (
    "notation", "subject", "sender_name", "sender_code", "signer_name", "content", "ocr_text",
)


class IncomingDocument(models.Model):
    """A recipient agency's own copy: a snapshot of the envelope and its own handling."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Foreign keys without their own index (db_index=False): every list and lookup runs in one
    # agency's scope, so the (agency, …) indexes below serve them, and each index more is one
    # more entry per recipient written at every issue (bench/bench_issue.py).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)  # the recipient
    status_code = models.CharField(max_length=2, choices=Status.choices, default=Status.DELIVERED)
    # The envelope, copied at delivery so it reads without the sender's rows.
    source_document_id = models.UUIDField(null=True, blank=True)
    source_delivery_id = models.UUIDField(null=True, blank=True)
    sender_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sender_code = models.CharField(max_length=13, blank=True)  # empty: a sender known by name only
    sender_name = models.CharField(max_length=255)
    number = models.PositiveIntegerField(null=True, blank=True)
    notation = models.CharField(max_length=80, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=120, blank=True)
    doc_type = models.CharField(max_length=32, choices=DocType.choices)
    subject = models.CharField(max_length=500)
    content = models.TextField(blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = models.CharField(max_length=16, choices=Secrecy.choices, default=Secrecy.NORMAL)
    signer_name = models.CharField(max_length=150, blank=True)
    signer_position = models.CharField(max_length=120, blank=True)
    sender_due_date = models.DateField(_("hạn trả lời của nơi gửi"), null=True, blank=True)
    # Set when this document corrects an earlier one of the same sender (văn bản thay thế).
    replaces_notation = models.CharField(_("thay thế văn bản số"), max_length=80, blank=True)
    # Set when this document answers one of ours (edXML ResponseFor): our outgoing document.
    response_for_document_id = models.UUIDField(null=True, blank=True)
    response_for_notation = models.CharField(_("trả lời văn bản số"), max_length=80, blank=True)
    # The national axis' identifier of the document (OrganId,yyyy/MM/dd,number/notation),
    # on copies received through the exchange.
    exchange_document_id = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField()
    # Registration (vào sổ).
    register = models.ForeignKey(  # the register book reads incoming_number_unique
        Register, null=True, blank=True, on_delete=models.PROTECT, related_name="incoming", db_index=False
    )
    incoming_year = models.PositiveSmallIntegerField(null=True, blank=True)
    incoming_number = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    rejected_reason = models.TextField(blank=True)
    # Handling.
    due_date = models.DateField(_("hạn xử lý"), null=True, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    reply_outgoing = models.ForeignKey(
        OutgoingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    # How it arrived: through the system, or registered by the clerk from paper, email, fax, hand.
    medium = models.CharField(_("hình thức nhận"), max_length=12, choices=Medium.choices,
                              default=Medium.ELECTRONIC)
    page_count = models.PositiveSmallIntegerField(_("số trang"), null=True, blank=True)
    copy_count = models.PositiveSmallIntegerField(_("số bản"), null=True, blank=True)
    duplicate_reason = models.TextField(_("lý do vào sổ bản trùng"), blank=True)
    # Text read from its scanned files by OCR (intake), searchable with the rest.
    ocr_text = models.TextField(blank=True, default="", editable=False)
    # Recall.
    recall_reason = models.TextField(blank=True)
    status_before_recall = models.CharField(max_length=2, blank=True)
    # Folded (no diacritics, lower case) notation, subject, sender, signer and content for `q`
    # search (docflow.core.search), shared by the copies of one envelope (CopyText). save()
    # stores it; a bulk writer calls copy_texts_store() and sets search_id (routing.copies).
    search = models.ForeignKey(CopyText, on_delete=models.PROTECT, related_name="+", db_index=False,
                               editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    SEARCH_FIELD = "search__text"  # what docflow.core.search filters on: the shared text

    class Meta:
        verbose_name = _("văn bản đến")
        verbose_name_plural = _("văn bản đến")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "incoming_year", "incoming_number"],
                name="incoming_number_unique", condition=models.Q(incoming_number__isnull=False),
            ),
            # Delivering the same document twice to one agency makes one copy.
            models.UniqueConstraint(
                fields=["agency", "source_document_id"], name="incoming_source_unique",
                condition=models.Q(source_document_id__isnull=False),
            ),
        ]
        indexes = [
            # Work lists: one agency, newest first, keyset on (delivered_at, id).
            models.Index(fields=["agency", "-delivered_at", "-id"], name="incoming_list_idx"),
            models.Index(
                fields=["agency", "status_code", "-delivered_at", "-id"], name="incoming_status_idx"
            ),
            # Only copies with a due date: a new copy has none, and every query on it compares
            # due dates (overdue, due soon, due before), which no copy without one matches.
            models.Index(fields=["agency", "due_date"], name="incoming_due_idx",
                         condition=models.Q(due_date__isnull=False)),
            # The exchange finds a copy by the axis identifier, always within one agency.
            models.Index(fields=["agency", "exchange_document_id"], name="incoming_exchange_idx"),
            # Search: from the texts that match to this agency's copies of them.
            models.Index(fields=["search", "agency"], name="incoming_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notation} {self.subject[:60]}"

    def save(self, *args, **kwargs) -> None:
        """Stores the search text first when a field it is made of may have changed (one
        INSERT, only when the text is not the one the copy already points to)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or not set(SEARCHED_COPY_FIELDS).isdisjoint(update_fields):
            text = self.build_search_text()
            text_id = copy_text_id(text)
            if text_id != self.search_id:
                copy_texts_store([text], agency_id=self.agency_id)
                self.search_id = text_id
                if update_fields is not None:
                    kwargs["update_fields"] = [*update_fields, "search"]
        super().save(*args, **kwargs)

    @property
    def search_text(self) -> str:
        """The folded text `q` searches, read from the shared row as the copy's own agency
        (row-level security shows the text through the copy)."""
        with query_rls((self.agency_id, ())):
            return self.search.text

    def search_envelope(self) -> tuple[str, ...]:
        """The fields ``search_text`` is made of: copies with the same ones share it."""
        return tuple(getattr(self, name) for name in SEARCHED_COPY_FIELDS)

    def build_search_text(self) -> str:
        """What `q` searches, folded so that `dien` finds `điện`; set it before bulk_create."""
        return fold(" ".join(self.search_envelope()))

    @property
    def status(self) -> str:
        return STATUS_SLUGS[Status(self.status_code)]

    @property
    def is_overdue(self) -> bool:
        return is_overdue(status_code=self.status_code, due_date=self.due_date, today=timezone.localdate())


class IncomingAttachment(models.Model):
    """The recipient's reference to a file of the envelope (content shared by hash)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    incoming = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(max_length=255)
    # Indexed plainly below: a pattern index (Django's ``_like`` for a text key) serves no query.
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+", db_index=False)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=120)
    # The issued document itself (văn bản chính), which every copy carries first.
    is_main = models.BooleanField(default=False)
    # The copy with the "ĐẾN" stamp, made after acceptance (PDF attachments only).
    stamped_sha256 = models.CharField(max_length=64, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-is_main", "name", "id"]
        indexes = [models.Index(fields=["file"], name="incoming_attachment_file_idx")]


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    COORDINATOR = "coordinator", _("Phối hợp")
    INFORMED = "informed", _("Để biết")


class Assignment(models.Model):
    """One person's part in handling an incoming document."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    incoming = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=AssignmentRole.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    instruction = models.TextField(_("ý kiến chỉ đạo"), blank=True)
    due_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["agency", "user", "is_active", "role"], name="assignment_user_idx")
        ]


class HandlingNote(models.Model):
    """Progress reports, co-ordinators' opinions, forwarding and completion notes."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Báo cáo tiến độ")
        OPINION = "opinion", _("Ý kiến phối hợp")
        FORWARD = "forward", _("Chuyển xử lý")
        COMPLETE = "complete", _("Hoàn thành")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    incoming = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]


class AgencyHandlingSettings(models.Model):
    """An agency's handling defaults: days allowed per urgency when a leader sets no due date."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    normal_days = models.PositiveSmallIntegerField(
        _("hạn xử lý văn bản thường (ngày)"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    urgent_days = models.PositiveSmallIntegerField(
        _("hạn xử lý văn bản khẩn (ngày)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    very_urgent_days = models.PositiveSmallIntegerField(
        _("hạn xử lý văn bản thượng khẩn (ngày)"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    flash_days = models.PositiveSmallIntegerField(
        _("hạn xử lý văn bản hỏa tốc (ngày)"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # How many days ahead the "due soon" lists look.
    due_soon_days = models.PositiveSmallIntegerField(
        _("báo sắp đến hạn trước (ngày)"), default=3,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("cấu hình xử lý văn bản đến")
        verbose_name_plural = _("cấu hình xử lý văn bản đến")

    def days_for(self, urgency: str) -> int:
        return getattr(self, f"{Urgency(urgency).value}_days")


class StatusReport(models.Model):
    """A status our incoming copy owes to an external sender (one outside the system).

    Senders inside the system get their Delivery row changed in the same transaction; for an
    external sender the exchange package sends these rows (its `exchange.status_push` work)
    and sets ``sent_at``. Unsent rows are the hook: nothing here talks to the outside.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")  # the recipient
    incoming = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="status_reports"
    )
    sender_code = models.CharField(max_length=13)
    status_code = models.CharField(max_length=2, choices=Status.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"], name="status_report_unsent_idx",
                condition=models.Q(sent_at__isnull=True),
            )
        ]


class KnownSender(models.Model):
    """A sender outside the directory that the clerk named once, offered again next time."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("tên nơi gửi"), max_length=255)
    code = models.CharField(_("mã nơi gửi"), max_length=13, blank=True)
    name_folded = models.CharField(max_length=255, editable=False)
    last_used_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager()

    class Meta:
        verbose_name = _("nơi gửi ngoài danh bạ")
        verbose_name_plural = _("nơi gửi ngoài danh bạ")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name_folded"], name="known_sender_unique")
        ]

    def save(self, *args, **kwargs) -> None:
        self.name_folded = fold(self.name).strip()
        super().save(*args, **kwargs)


class OcrState(models.TextChoices):
    PENDING = "pending", _("Đang chờ nhận dạng")
    DONE = "done", _("Đã nhận dạng")
    FAILED = "failed", _("Không nhận dạng được")
    UNAVAILABLE = "unavailable", _("Máy chủ chưa cài nhận dạng chữ (OCR)")


class IntakeScan(models.Model):
    """A scanned file brought in by the clerk (several images already made one PDF), with what
    OCR read from it; attached to an incoming copy at registration or uploaded to one after."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    original = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    searchable = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    page_count = models.PositiveSmallIntegerField(default=1)
    ocr_state = models.CharField(max_length=12, choices=OcrState.choices, default=OcrState.PENDING)
    ocr_text = models.TextField(blank=True, default="")
    ocr_fields = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    incoming = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="scans"
    )
    attachment = models.OneToOneField(
        IncomingAttachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="scan"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
