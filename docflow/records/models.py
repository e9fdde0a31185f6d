"""Work files (hồ sơ) and the agency archive: Decree 30/2020/NĐ-CP Chapter IV.

The year's file list (danh mục hồ sơ) is headings and entries; a ``WorkFile`` is opened from an
entry or ad hoc, collects incoming and outgoing documents in order, is closed with a note
(read-only from then on) and handed to the agency archive by an ``ArchiveTransfer``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.core.text import fold
from docflow.tenancy.models import Agency, Unit
from docflow.core.scoping import TenantManager

PERMANENT = "permanent"


def retention_label(years: int | None) -> str:
    return str(_("Vĩnh viễn")) if years is None else f"{years} năm"


class RetentionRule(models.Model):
    """One line of the agency's retention table (bảng thời hạn bảo quản); ``years`` None = permanent."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("số thứ tự"), max_length=20)
    name = models.CharField(_("nhóm hồ sơ, tài liệu"), max_length=300)
    years = models.PositiveSmallIntegerField(_("thời hạn (năm)"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["agency_id", "code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="retention_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({retention_label(self.years)})"


class FileListHeading(models.Model):
    """A heading of a year's file list (I. Tổng hợp, II. Nội vụ…)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("đề mục"), max_length=300)

    objects = TenantManager()

    class Meta:
        ordering = ["agency_id", "year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "title"], name="file_heading_unique"),
        ]


class FileListEntry(models.Model):
    """One line of the year's file list: the file that should be kept, who keeps it, how long."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    heading = models.ForeignKey(FileListHeading, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="entries")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(_("số và ký hiệu hồ sơ"), max_length=40)
    title = models.CharField(_("tiêu đề hồ sơ"), max_length=500)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    retention_years = models.PositiveSmallIntegerField(null=True, blank=True)
    retention_rule = models.ForeignKey(RetentionRule, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["agency_id", "year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "code"], name="file_entry_code_unique"),
        ]

    @property
    def retention(self) -> str:
        return retention_label(self.retention_years)


class FileState(models.TextChoices):
    OPEN = "open", _("Đang lập")
    CLOSED = "closed", _("Đã kết thúc")
    TRANSFERRED = "transferred", _("Đã nộp lưu")


class WorkFile(models.Model):
    """A file (hồ sơ): open while the work goes on, read-only once closed, then transferred."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(FileListEntry, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="files")
    year = models.PositiveSmallIntegerField()
    code = models.CharField(_("số và ký hiệu hồ sơ"), max_length=40)
    title = models.CharField(_("tiêu đề hồ sơ"), max_length=500)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    retention_years = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=FileState.choices, default=FileState.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closing_note = models.TextField(_("ghi chú kết thúc"), blank=True)
    disposal_on = models.DateField(_("hết thời hạn bảo quản"), null=True, blank=True)
    transferred_at = models.DateTimeField(null=True, blank=True)
    # Denormalised counters so lists show sizes without a join per row.
    document_count = models.PositiveIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    search_text = models.CharField(max_length=700, editable=False, default="")

    objects = TenantManager()

    class Meta:
        ordering = ["agency_id", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "code"], name="work_file_code_unique"),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "responsible"], name="work_file_state_idx"),
            models.Index(fields=["agency", "disposal_on"], name="work_file_disposal_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:60]}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(f"{self.code} {self.title}")[:700]
        super().save(*args, **kwargs)

    @property
    def retention(self) -> str:
        return retention_label(self.retention_years)

    @property
    def retention_value(self) -> int | str:
        return PERMANENT if self.retention_years is None else self.retention_years

    @staticmethod
    def disposal_date(*, closed_on: dt.date, years: int | None) -> dt.date | None:
        """Retention runs from the closing date; permanent files have none. 29/2 → 28/2."""
        if years is None:
            return None
        try:
            return closed_on.replace(year=closed_on.year + years)
        except ValueError:
            return closed_on.replace(year=closed_on.year + years, day=28)


class FileDocument(models.Model):
    """A document in a file, at a position (the original in one file at most, else a reference),
    or a handler's note written into the file between its documents."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    work_file = models.ForeignKey(WorkFile, on_delete=models.CASCADE, related_name="documents")
    incoming = models.ForeignKey("routing.IncomingDocument", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    outgoing = models.ForeignKey("documents.OutgoingDocument", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    page_count = models.PositiveIntegerField(default=0)
    is_original = models.BooleanField(default=True)
    note = models.TextField(_("ghi chú"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["work_file_id", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(incoming__isnull=False, outgoing__isnull=True, note="")
                | models.Q(incoming__isnull=True, outgoing__isnull=False, note="")
                | (models.Q(incoming__isnull=True, outgoing__isnull=True) & ~models.Q(note="")),
                name="file_item_one_kind",
            ),
            models.UniqueConstraint(fields=["work_file", "incoming"], name="file_incoming_once"),
            models.UniqueConstraint(fields=["work_file", "outgoing"], name="file_outgoing_once"),
            models.UniqueConstraint(fields=["incoming"], condition=models.Q(is_original=True),
                                    name="incoming_one_original"),
            models.UniqueConstraint(fields=["outgoing"], condition=models.Q(is_original=True),
                                    name="outgoing_one_original"),
            models.UniqueConstraint(fields=["work_file", "position"], name="file_document_position"),
        ]

    @property
    def document(self):
        return self.incoming or self.outgoing

    @property
    def kind(self) -> str:
        if self.incoming_id:
            return "incoming"
        return "outgoing" if self.outgoing_id else "note"


class TransferState(models.TextChoices):
    PENDING = "pending", _("Chờ tạo gói")
    BUILDING = "building", _("Đang tạo gói")
    READY = "ready", _("Đã sẵn sàng")


class ArchiveTransfer(models.Model):
    """Closed files handed to the agency archive: handover list, record, and the BagIt package."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    files = models.ManyToManyField(WorkFile, through="ArchiveTransferFile", related_name="transfers")
    state = models.CharField(max_length=12, choices=TransferState.choices, default=TransferState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    documents_total = models.PositiveIntegerField(default=0)
    documents_done = models.PositiveIntegerField(default=0)
    package_sha256 = models.CharField(max_length=64, blank=True)
    package_size = models.BigIntegerField(default=0)
    handover_list_sha256 = models.CharField(max_length=64, blank=True)
    handover_record_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def progress(self) -> int:
        """Per cent of documents written into the package."""
        if self.state == TransferState.READY:
            return 100
        return (100 * self.documents_done // self.documents_total) if self.documents_total else 0


class ArchiveTransferFile(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(ArchiveTransfer, on_delete=models.CASCADE, related_name="items")
    work_file = models.ForeignKey(WorkFile, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    objects = TenantManager()

    class Meta:
        ordering = ["transfer_id", "position"]
        constraints = [
            # A file is handed over once.
            models.UniqueConstraint(fields=["work_file"], name="transfer_file_once"),
        ]
