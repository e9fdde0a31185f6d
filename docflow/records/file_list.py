"""The year's file list (danh mục hồ sơ): headings and entries, copied forward in one step,
printed as PDF and exported as CSV (Decree 30 Art. 28, form of Appendix V)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Max, Prefetch

from docflow.audit.services import event_record
from docflow.records.models import PERMANENT, FileListEntry, FileListHeading, RetentionRule, retention_label
from docflow.records.permissions import require_list_keeper
from docflow.rendering.registers import RegisterColumn, render_register_csv, render_register_pdf
from docflow.tenancy.models import Membership, Unit, User
from docflow.core.services import savepoint, service

FILE_LIST_COLUMNS = (
    RegisterColumn("Đề mục và tiêu đề hồ sơ", 4.0),
    RegisterColumn("Số và ký hiệu hồ sơ", 1.3),
    RegisterColumn("Thời hạn bảo quản", 1.1),
    RegisterColumn("Đơn vị, người lập hồ sơ", 2.0),
    RegisterColumn("Ghi chú", 1.2),
)


def parse_retention(value, *, field: str = "retention") -> int | None:
    """``"permanent"`` (or empty) → None, else whole years between 1 and 100; 400 on ``field``."""
    if value in (None, "", PERMANENT):
        return None
    try:
        years = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: ["Thời hạn là số năm hoặc \"permanent\"."]}) from None
    if not 1 <= years <= 100:
        raise ValidationError({field: ["Thời hạn từ 1 đến 100 năm, hoặc vĩnh viễn."]})
    return years


@contextmanager
def refused_if_taken(field: str, message: str) -> Iterator[None]:
    """A concurrent writer won a unique constraint between our check and our INSERT: 400, not 500."""
    try:
        with savepoint():
            yield
    except IntegrityError:
        raise ValidationError({field: [message]}) from None


def member_by_username(agency_id: int, username: str | None, field: str) -> User | None:
    if not username:
        return None
    member = (Membership.objects.filter(agency_id=agency_id, user__username=username, is_active=True)
              .select_related("user").first())
    if member is None:
        raise ValidationError({field: ["Không có người này trong cơ quan."]})
    return member.user


def unit_by_symbol(agency_id: int, symbol: str | None) -> Unit | None:
    if not symbol:
        return None
    unit = Unit.objects.filter(agency_id=agency_id, symbol=symbol).first()
    if unit is None:
        raise ValidationError({"unit": ["Không có phòng, ban này trong cơ quan."]})
    return unit


@service
def file_heading_create(*, actor: Membership, year: int, title: str) -> FileListHeading:
    """Add a heading at the end of the year's list."""
    require_list_keeper(actor)
    if not title.strip():
        raise ValidationError({"title": ["Cần tên đề mục."]})
    if FileListHeading.objects.filter(year=year, title=title.strip()).exists():
        raise ValidationError({"title": ["Danh mục năm này đã có đề mục này."]})
    last = FileListHeading.objects.filter(year=year).aggregate(m=Max("position"))["m"] or 0
    heading = FileListHeading.objects.create(agency_id=actor.agency_id, year=year,
                                             position=last + 1, title=title.strip())
    event_record(agency_id=actor.agency_id, action="file_list.heading_added", object_type="file_list",
                 object_id=heading.id, data={"year": year, "title": heading.title})
    return heading


@service
def file_entry_create(
    *, actor: Membership, year: int, code: str, title: str, retention: int | None,
    heading_id=None, unit: str | None = None, responsible: str | None = None, note: str = "",
    retention_rule_id=None,
) -> FileListEntry:
    """Add a line to the year's list; the code is unique within the year (400 on ``code``).
    With ``retention_rule_id`` the period is the rule's from the agency's retention table."""
    require_list_keeper(actor)
    errors = {}
    if not code.strip():
        errors["code"] = ["Cần số và ký hiệu hồ sơ."]
    if not title.strip():
        errors["title"] = ["Cần tiêu đề hồ sơ."]
    if errors:
        raise ValidationError(errors)
    heading = None
    if heading_id:
        heading = FileListHeading.objects.filter(pk=heading_id, year=year).first()
        if heading is None:
            raise ValidationError({"heading": ["Không có đề mục này trong danh mục năm."]})
    if FileListEntry.objects.filter(year=year, code=code.strip()).exists():
        raise ValidationError({"code": ["Danh mục năm này đã có hồ sơ mang ký hiệu này."]})
    last = FileListEntry.objects.filter(year=year).aggregate(m=Max("position"))["m"] or 0
    values = {"unit": unit_by_symbol(actor.agency_id, unit),
              "responsible": member_by_username(actor.agency_id, responsible, "responsible")}
    if retention_rule_id:
        rule = RetentionRule.objects.filter(pk=retention_rule_id).first()
        if rule is None:
            raise ValidationError({"retention_rule": ["Không có dòng này trong bảng thời hạn bảo quản."]})
        values["retention_rule"], retention = rule, rule.years
    with refused_if_taken("code", "Danh mục năm này đã có hồ sơ mang ký hiệu này."):
        entry = FileListEntry.objects.create(
            agency_id=actor.agency_id, year=year, heading=heading, position=last + 1, code=code.strip(),
            title=title.strip(), retention_years=retention, note=note, **values,
        )
    event_record(agency_id=actor.agency_id, action="file_list.entry_added", object_type="file_list",
                 object_id=entry.id, data={"year": year, "code": entry.code})
    return entry


@service
def file_list_copy_forward(*, actor: Membership, from_year: int, to_year: int) -> int:
    """Copy ``from_year``'s headings and entries into ``to_year`` in one transaction.

    Entries whose code the new year already has are left alone, so running it twice copies
    nothing twice; returns how many entries were copied.
    """
    require_list_keeper(actor)
    if to_year <= from_year:
        raise ValidationError({"to_year": ["Năm nhận phải sau năm nguồn."]})
    old_headings = list(FileListHeading.objects.filter(year=from_year).order_by("position"))
    if not old_headings and not FileListEntry.objects.filter(year=from_year).exists():
        raise ValidationError({"from_year": ["Năm này chưa có danh mục hồ sơ."]})
    have_titles = set(FileListHeading.objects.filter(year=to_year).values_list("title", flat=True))
    FileListHeading.objects.bulk_create([
        FileListHeading(agency_id=actor.agency_id, year=to_year, position=h.position, title=h.title)
        for h in old_headings if h.title not in have_titles
    ])
    by_title = {h.title: h for h in FileListHeading.objects.filter(year=to_year)}
    old_title = {h.id: h.title for h in old_headings}
    have_codes = set(FileListEntry.objects.filter(year=to_year).values_list("code", flat=True))
    copies = [
        FileListEntry(
            agency_id=actor.agency_id, year=to_year, position=e.position, code=e.code, title=e.title,
            heading=by_title.get(old_title.get(e.heading_id)), unit_id=e.unit_id,
            responsible_id=e.responsible_id, retention_years=e.retention_years,
            retention_rule_id=e.retention_rule_id, note=e.note,
        )
        for e in FileListEntry.objects.filter(year=from_year).order_by("position")
        if e.code not in have_codes
    ]
    FileListEntry.objects.bulk_create(copies)
    event_record(agency_id=actor.agency_id, action="file_list.copied", object_type="file_list",
                 object_id=actor.agency.uuid,
                 data={"from": from_year, "to": to_year, "entries": len(copies)})
    return len(copies)


@dataclass(frozen=True)
class FileListSection:
    heading: FileListHeading | None
    entries: list[FileListEntry]


def file_list_sections(*, year: int) -> list[FileListSection]:
    """The active agency's list for ``year`` grouped by heading, in order (three queries)."""
    entries = Prefetch("entries", queryset=FileListEntry.objects.filter(year=year)
                       .select_related("unit", "responsible").order_by("position"))
    headings = list(FileListHeading.objects.filter(year=year).order_by("position").prefetch_related(entries))
    loose = list(FileListEntry.objects.filter(year=year, heading__isnull=True)
                 .select_related("unit", "responsible").order_by("position"))
    sections = [FileListSection(heading=h, entries=list(h.entries.all())) for h in headings]
    if loose:
        sections.append(FileListSection(heading=None, entries=loose))
    return sections


def _rows(sections: list[FileListSection]) -> list[list[str]]:
    rows = []
    for section in sections:
        if section.heading is not None:
            rows.append([section.heading.title.upper(), "", "", "", ""])
        for e in section.entries:
            keeper = " – ".join(x for x in (e.unit.name if e.unit else "",
                                            e.responsible.get_full_name() if e.responsible else "") if x)
            rows.append([e.title, e.code, retention_label(e.retention_years), keeper, e.note])
    return rows


def file_list_csv(*, year: int) -> bytes:
    return render_register_csv(FILE_LIST_COLUMNS, _rows(file_list_sections(year=year)))


def file_list_pdf(*, year: int) -> bytes:
    """Rendered in the request: a year's list is a few pages (tens to hundreds of lines)."""
    return render_register_pdf("Danh mục hồ sơ", year, FILE_LIST_COLUMNS, _rows(file_list_sections(year=year)))
