"""Outgoing documents, their attachments, registers and the yearly number counters."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.core.text import fold
from docflow.documents.types import DocType, Secrecy, Urgency
from docflow.tenancy.models import Agency, Unit
from docflow.core.scoping import TenantManager


class StoredFile(models.Model):
    """File contents, stored once by SHA-256. Not a tenant row: rows that point here are."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=120)
    storage_name = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


# How outgoing documents appear in the audit log and in notifications (the web resolves the page).
AUDIT_OBJECT = "outgoing_document"


class SignerAuthority(models.TextChoices):
    """Thẩm quyền ký (Decree 30, Article 13)."""

    NONE = "", _("Ký trực tiếp")
    TM = "TM.", _("Thay mặt (TM.)")
    KT = "KT.", _("Ký thay (KT.)")
    Q = "Q.", _("Quyền (Q.)")
    TL = "TL.", _("Thừa lệnh (TL.)")
    TUQ = "TUQ.", _("Thừa ủy quyền (TUQ.)")


class OutgoingState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PENDING_APPROVAL = "pending_approval", _("Chờ duyệt")
    APPROVED = "approved", _("Đã ký duyệt")
    ISSUED = "issued", _("Đã phát hành")


class RegisterDirection(models.TextChoices):
    OUTGOING = "outgoing", _("Văn bản đi")
    INCOMING = "incoming", _("Văn bản đến")


class Register(models.Model):
    """Sổ văn bản: one numbering series of an agency. Numbers restart at 1 every calendar year.

    ``series`` is ``general``, ``secret``, or a document type code for a type the agency numbers
    separately.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=10, choices=RegisterDirection.choices)
    series = models.CharField(max_length=40, default="general")
    name = models.CharField(_("tên sổ"), max_length=200)
    is_active = models.BooleanField(default=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("sổ văn bản")
        verbose_name_plural = _("sổ văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "direction", "series"], name="register_series_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RegisterCounter(models.Model):
    """The last number taken in a register for one year; locked FOR UPDATE to take the next."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "year"], name="register_counter_unique")
        ]


# A save() naming any of these in update_fields writes search_text too.
SEARCHED_FIELDS = frozenset({"notation", "subject", "body", "signer"})
STEP_FIELDS = frozenset({"state", "approval_chain", "current_step", "signer"})


class OutgoingDocument(models.Model):
    """A document our agency writes: a draft until a clerk issues it; immutable after."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=20, choices=OutgoingState.choices, default=OutgoingState.DRAFT
    )
    doc_type = models.CharField(_("loại văn bản"), max_length=32, choices=DocType.choices)
    subject = models.CharField(
        _("trích yếu"), max_length=500, validators=[MaxLengthValidator(500)]
    )
    body = models.TextField(_("nội dung"), blank=True)
    urgency = models.CharField(
        _("độ khẩn"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.CharField(
        _("độ mật"), max_length=16, choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị soạn thảo"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ký"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    signer_authority = models.CharField(
        max_length=8, choices=SignerAuthority.choices, default=SignerAuthority.NONE, blank=True
    )
    signer_position = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    # Agency codes in the system, and plain-text places (paper) for "Nơi nhận".
    recipient_codes = models.JSONField(default=list, blank=True)
    external_places = models.JSONField(default=list, blank=True)
    due_date = models.DateField(_("hạn trả lời"), null=True, blank=True)
    # Approval chain: the agency's steps, copied at submit so a change of configuration does not
    # move a document already in the chain; ``current_step`` indexes the step now waiting.
    approval_chain = models.JSONField(default=list, blank=True)
    current_step = models.PositiveSmallIntegerField(default=0)
    # The step now waiting, as columns the approval queue filters on (kept by save()): its
    # role, whether only the named signer may take it, and its positions folded, "|a|b|".
    awaiting_role = models.CharField(max_length=16, blank=True, default="", editable=False)
    awaiting_signer_only = models.BooleanField(default=False, editable=False)
    awaiting_positions = models.TextField(blank=True, default="", editable=False)
    return_comment = models.TextField(_("ý kiến trả lại"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    register = models.ForeignKey(
        Register, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    notation = models.CharField(_("số, ký hiệu"), max_length=80, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The incoming copy of our agency that this draft answers (routing's row; "Trả lời").
    reply_to_incoming_id = models.UUIDField(null=True, blank=True, db_index=True)
    # A content error is corrected by a new document that replaces this one.
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The PDF the final approver signed, with number and date left as fields for issue to fill.
    approved_pdf_sha256 = models.CharField(max_length=64, blank=True)
    # Recall (thu hồi): asked once by the issuing agency; each recipient decides.
    recall_requested_at = models.DateTimeField(null=True, blank=True)
    recall_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recall_reason = models.TextField(_("lý do thu hồi"), blank=True)
    # Folded (no diacritics, lower case) notation, subject, body and signer for `q` search
    # (docflow.core.search); save() keeps it current. Its trigram index (PostgreSQL) is made
    # by migration 0003_outgoing_search_text.
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("văn bản đi")
        verbose_name_plural = _("văn bản đi")
        constraints = [
            # The second wall behind the locked counter: one number per register and year.
            models.UniqueConstraint(
                fields=["register", "year", "number"], name="outgoing_number_unique",
                condition=models.Q(number__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "-created_at", "-id"], name="outgoing_list_idx"),
            models.Index(fields=["agency", "-created_at", "-id"], name="outgoing_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.notation or self.subject[:60]

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.build_search_text()
        self.awaiting_role, self.awaiting_signer_only, self.awaiting_positions = self.awaiting_step()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = ["search_text"] if SEARCHED_FIELDS.intersection(update_fields) else []
            if STEP_FIELDS.intersection(update_fields):
                extra += ["awaiting_role", "awaiting_signer_only", "awaiting_positions"]
            kwargs["update_fields"] = [*update_fields, *extra]
        super().save(*args, **kwargs)

    def awaiting_step(self) -> tuple[str, bool, str]:
        """(role, named signer only, "|positions|") of the step waiting, or blanks."""
        chain = self.approval_chain or []
        if self.state != OutgoingState.PENDING_APPROVAL or self.current_step >= len(chain):
            return "", False, ""
        step = chain[self.current_step]
        last = self.current_step == len(chain) - 1
        positions = [fold(p) for p in step.get("positions", []) if fold(p)]
        return step["role"], last and self.signer_id is not None, f"|{'|'.join(positions)}|" if positions else ""

    def build_search_text(self) -> str:
        """What `q` searches, folded so that `dien` finds `điện` (the signer's name included)."""
        signer = self.signer.get_full_name() if self.signer_id else ""
        return fold(f"{self.notation} {self.subject} {signer} {self.body}")


class ApprovalRole(models.TextChoices):
    UNIT_HEAD = "unit_head", _("Lãnh đạo đơn vị soạn thảo")
    LEADER = "leader", _("Lãnh đạo cơ quan")


DEFAULT_UNIT_HEAD_POSITIONS = [
    "Trưởng phòng", "Phó Trưởng phòng", "Chánh Văn phòng", "Phó Chánh Văn phòng",
]


class ApprovalStep(models.Model):
    """One step of an agency's approval chain (trình ký), in ``order``; the last one is a leader
    who signs. An agency with no steps uses one leader step.

    ``unit_head``: a member of the document's drafting unit who is a leader or holds one of
    ``positions``; ``leader``: any leader of the agency.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField()
    label = models.CharField(_("tên bước"), max_length=120)
    role = models.CharField(max_length=16, choices=ApprovalRole.choices)
    positions = models.JSONField(default=list, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("bước duyệt")
        verbose_name_plural = _("quy trình duyệt")
        ordering = ["agency_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "order"], name="approval_step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.label}"

    def as_chain_entry(self) -> dict:
        return {"label": self.label, "role": self.role, "positions": list(self.positions)}


class Attachment(models.Model):
    """A file attached to an outgoing document (content by hash)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(max_length=255)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name
