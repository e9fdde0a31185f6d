"""Agencies (the tenants), their units, users and memberships with roles."""

from __future__ import annotations

import re
import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.core.text import fold
from docflow.core.scoping import TenantManager

AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
agency_code_validator = RegexValidator(
    AGENCY_CODE_RE, _("Mã định danh phải có dạng NNN.NN.NN.LNN, ví dụ 000.00.31.H52.")
)
symbol_validator = RegexValidator(
    r"^[A-ZĐ0-9][A-ZĐa-z0-9&]{0,19}$", _("Ký hiệu chỉ gồm chữ và số, bắt đầu bằng chữ in hoa.")
)


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")
    WARD = "ward", _("Phường")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    OTHER = "other", _("Cơ quan, tổ chức khác")


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    LEADER = "leader", _("Lãnh đạo")
    STAFF = "staff", _("Chuyên viên")
    AGENCY_ADMIN = "agency_admin", _("Quản trị đơn vị")
    ARCHIVIST = "archivist", _("Lưu trữ")


class Agency(models.Model):
    """An issuing body and the tenant: every tenant-owned row points to one."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    code = models.CharField(
        _("mã định danh"), max_length=13, unique=True, validators=[agency_code_validator]
    )
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(
        _("tên viết tắt trên văn bản"), max_length=120, blank=True,
        help_text=_("Ví dụ: UBND HUYỆN BẮC YÊN"),
    )
    symbol = models.CharField(
        _("ký hiệu"), max_length=20, default="UBND", validators=[symbol_validator]
    )
    level = models.CharField(_("cấp"), max_length=16, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("cơ quan cấp trên"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    place = models.CharField(_("địa danh"), max_length=120, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # An agency outside Docflow reached through the exchange API: a directory entry, never a
    # tenant with users; what we issue to it waits in its exchange outbox.
    is_external = models.BooleanField(_("cơ quan ngoài hệ thống"), default=False)
    # Diacritic-free copy of code and name so directory search ignores accents.
    search_text = models.CharField(max_length=400, editable=False, db_index=True)
    # Contact details from the directory (import_agencies).
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    # Set by a merger (sắp xếp đơn vị hành chính): the agency it was merged into, and when. The
    # agency stays, inactive, so its history keeps its rows; its code becomes an AgencyAlias.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("đã sáp nhập vào"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="predecessors",
    )
    merged_on = models.DateField(_("ngày sáp nhập"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)

    @property
    def header_name(self) -> str:
        """The name as printed at the top of a document (upper case)."""
        return (self.short_name or self.name).upper()


class AgencyAlias(models.Model):
    """An old identifier code that still reaches an agency: a merged predecessor's code.

    Documents and status addressed to ``code`` go to ``agency`` (``agencies_for_codes``)."""

    code = models.CharField(
        _("mã định danh cũ"), max_length=13, unique=True, validators=[agency_code_validator]
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="aliases")
    since = models.DateField(_("từ ngày"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mã định danh cũ")
        verbose_name_plural = _("mã định danh cũ")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} → {self.agency.code}"


class Unit(models.Model):
    """A department inside an agency (Văn phòng, Phòng Nội vụ…)."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("tên"), max_length=255)
    symbol = models.CharField(_("ký hiệu"), max_length=20, validators=[symbol_validator])
    is_active = models.BooleanField(default=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("phòng, ban")
        verbose_name_plural = _("phòng, ban")
        ordering = ["agency_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "symbol"], name="unit_symbol_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.symbol})"


class User(AbstractUser):
    """A person. What they may do depends on their membership in an agency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username


class Membership(models.Model):
    """A user's place in one agency: unit, position and roles."""

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    is_clerk = models.BooleanField(_("văn thư"), default=False)
    is_leader = models.BooleanField(_("lãnh đạo"), default=False)
    is_staff_member = models.BooleanField(_("chuyên viên"), default=False)
    is_agency_admin = models.BooleanField(_("quản trị đơn vị"), default=False)
    is_archivist = models.BooleanField(_("lưu trữ"), default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    ROLE_FIELDS = {
        Role.CLERK: "is_clerk",
        Role.LEADER: "is_leader",
        Role.STAFF: "is_staff_member",
        Role.AGENCY_ADMIN: "is_agency_admin",
        Role.ARCHIVIST: "is_archivist",
    }

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["agency_id", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        """"Nguyễn Thị Thu — UBND xã Phiêng Ban (văn thư)": who, where, as what."""
        roles = ", ".join(str(Role(r).label).lower() for r in self.roles)
        where = self.agency.name.replace("Ủy ban nhân dân", "UBND", 1)
        return f"{self.user} — {where}" + (f" ({roles})" if roles else "")

    def clean(self) -> None:
        if self.unit_id and self.unit.agency_id != self.agency_id:
            raise ValidationError({"unit": _("Phòng, ban không thuộc cơ quan này.")})

    @property
    def roles(self) -> list[str]:
        return [role.value for role, field in self.ROLE_FIELDS.items() if getattr(self, field)]

    def has_role(self, *roles: str) -> bool:
        return any(getattr(self, self.ROLE_FIELDS[Role(r)]) for r in roles)
