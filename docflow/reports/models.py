"""Statistics reports: a PDF of an agency's figures for a period, made by a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.tenancy.models import Agency
from docflow.core.scoping import TenantManager


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Báo cáo tháng")
    ON_DEMAND = "on_demand", _("Báo cáo theo yêu cầu")


class StatisticsReport(models.Model):
    """One report of one agency for one period: asked for, then rendered once (``pdf_sha256``).

    A monthly report exists once per agency and month (the constraint), so beat running twice
    makes one; reports asked for by a person are as many as they asked for.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ReportKind.choices)
    period_first = models.DateField(_("từ ngày"))
    period_last = models.DateField(_("đến ngày"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("báo cáo thống kê")
        verbose_name_plural = _("báo cáo thống kê")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period_first"], name="report_monthly_unique",
                condition=models.Q(kind="monthly"),
            ),
            models.CheckConstraint(
                condition=models.Q(period_last__gte=models.F("period_first")), name="report_period_order"
            ),
        ]
        indexes = [models.Index(fields=["agency", "-created_at", "-id"], name="report_recent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_first:%d/%m/%Y}–{self.period_last:%d/%m/%Y}"

    @property
    def state(self) -> str:
        return "ready" if self.pdf_sha256 else "pending"


class OversightMonth(models.Model):
    """One agency's oversight figures for one past month (``reports.oversight``), kept so that
    the superior's page reads a row per agency instead of aggregating millions of copies.

    Written only by ``oversight_rollup.oversight_rollup_rebuild`` (nightly, and by
    ``manage.py oversight_rollup``): a month is rebuilt whole, a row for every agency, zeros
    included, so an agency without a row for a month (created since) is counted live. The
    current month is never kept: it is always counted live."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day
    received = models.PositiveIntegerField(default=0)
    received_electronic = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    issued_electronic = models.PositiveIntegerField(default=0)
    issued_signed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    completed_late = models.PositiveIntegerField(default=0)
    overdue_open = models.PositiveIntegerField(default=0)  # as of ``built_on``
    mean_handling_days = models.FloatField(null=True, blank=True)
    built_on = models.DateField()

    objects = TenantManager()

    class Meta:
        verbose_name = _("số liệu theo dõi theo tháng")
        verbose_name_plural = _("số liệu theo dõi theo tháng")
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="oversight_month_unique")]
