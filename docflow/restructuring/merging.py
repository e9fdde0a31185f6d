"""A merger: several agencies become one (sắp xếp đơn vị hành chính) on a date.

``merger_plan`` reads what would move and writes nothing (the dry run prints it);
``agencies_merge`` does exactly that plan in one transaction. The successor takes the
predecessors' open incoming copies (not completed, rejected or recalled) with their files,
assignments and notes; their drafts and documents waiting in the approval chain, with their
attachments; their open work files with the documents filed in them. The predecessors'
registers are closed (readable: what they numbered keeps its number); from the date on, what the
successor numbers goes into its own registers. Memberships move to the successor (or end); the
predecessors' units are matched to the successor's by symbol, created there when missing. Each
predecessor stays, inactive and marked ``merged_into``, so its history keeps its rows and the
statistics both agencies; its code becomes an ``AgencyAlias`` of the successor, so documents
addressed to it reach the successor. Nothing of any other agency is written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.utils.translation import gettext as _

from docflow.audit.services import EventSpec, events_record
from docflow.core.scoping import agency_scope, cross_agency
from docflow.core.services import service
from docflow.documents.models import Attachment, OutgoingDocument, OutgoingState, Register
from docflow.documents.signing.models import SigningRequest
from docflow.notifications.models import Notification
from docflow.notifications.services import Notice, notifications_create
from docflow.records.models import FileDocument, FileState, WorkFile
from docflow.routing.issue_notifications import KIND_DELIVERED, KIND_RECALL
from docflow.routing.models import (
    Assignment, HandlingNote, IncomingAttachment, IncomingDocument, IntakeScan, Status, StatusReport,
)
from docflow.tenancy.directory_import import agency_create, agency_new_check
from docflow.tenancy.kinds import DEFAULT_UNITS
from docflow.tenancy.models import Agency, AgencyAlias, Membership, Unit, User

MEMBERSHIP_CHOICES = ("move", "end")
ID_CHUNK = 10_000
# An incoming copy whose handling is over stays with the predecessor, as history.
CLOSED_STATUSES = (Status.REJECTED, Status.COMPLETED, Status.RECALL_ACCEPTED)
# Notifications addressed to an agency's clerks as such (a document arrived, a recall asked):
# when their recipient does not carry on in the successor, the successor's clerks get them.
AGENCY_WIDE_KINDS = (KIND_DELIVERED, KIND_RECALL)
# What a new successor is given besides its code: the directory file's columns.
NEW_SUCCESSOR_FIELDS = ("name", "kind", "parent_code", "symbol", "short_name", "place", "email", "phone", "address")


@dataclass
class MergerPlan:
    """What a merger moves, by id: the dry run prints it, the merger does exactly it."""

    successor: Agency
    predecessors: list[Agency]
    on: datetime.date
    memberships: str
    copies: list[UUID] = field(default_factory=list)
    # Copies of a document the successor (or an earlier predecessor) holds too: one copy per
    # document per agency, so these stay with their predecessor, closed history.
    copies_kept: list[UUID] = field(default_factory=list)
    drafts: list[UUID] = field(default_factory=list)
    work_files: list[UUID] = field(default_factory=list)
    work_files_renamed: dict[UUID, str] = field(default_factory=dict)  # a code the successor has
    registers: list[UUID] = field(default_factory=list)  # closed
    members_moved: list[UUID] = field(default_factory=list)
    members_ended: list[UUID] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)  # symbols
    unit_map: dict[int, int | str] = field(default_factory=dict)  # predecessor unit → successor unit (or symbol)
    # Unread notifications of people who carry on in the successor: they move with them.
    notifications_moved: list[UUID] = field(default_factory=list)
    # Unread agency-wide ones of people who do not: (that notification, a successor's clerk).
    notifications_to_clerks: list[tuple[UUID, int]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # codes of the predecessors' subordinates, re-parented
    # The successor's own superior when it was one of the predecessors: the first one up that is not.
    successor_reparented: bool = False
    successor_parent: Agency | None = None
    created: bool = False  # the successor is new, made by the merger

    def counts(self) -> dict[str, int]:
        return {
            "copies": len(self.copies), "copies_kept": len(self.copies_kept), "drafts": len(self.drafts),
            "work_files": len(self.work_files), "registers": len(self.registers),
            "members_moved": len(self.members_moved), "members_ended": len(self.members_ended),
            "units_created": len(self.units_created), "notifications_moved": len(self.notifications_moved),
            "notifications_to_clerks": len(self.notifications_to_clerks), "children": len(self.children),
        }

    def report(self) -> list[str]:
        """The plan as lines for the operator: counts, then the ids of each kind."""
        lines = [
            f"{_('Sáp nhập vào')}: {self.successor.code} {self.successor.name}, {_('ngày')} {self.on:%d/%m/%Y}"
            + (f" ({_('cơ quan mới')})" if self.created else ""),
            *(f"  {_('từ')}: {a.code} {a.name}" for a in self.predecessors),
        ]
        kinds = {
            "copies": self.copies, "copies_kept": self.copies_kept, "drafts": self.drafts,
            "work_files": self.work_files, "registers": self.registers,
            "members_moved": self.members_moved, "members_ended": self.members_ended,
            "units_created": self.units_created, "notifications_moved": self.notifications_moved,
            "notifications_to_clerks": [f"{n} → {u}" for n, u in self.notifications_to_clerks],
            "children": self.children,
        }
        for kind, ids in kinds.items():
            lines.append(f"{kind}: {len(ids)}")
            lines += [f"  {i}" for i in ids]
        return lines


def _agencies(
    successor_code: str, predecessor_codes: list[str], *, lock: bool, new_successor: dict[str, str] | None = None,
) -> tuple[Agency, list[Agency]]:
    """The successor and the predecessors, checked; a ``new_successor`` (not yet written) is
    checked as a line of the directory file is and returned unsaved."""
    codes = [successor_code, *predecessor_codes]
    if not predecessor_codes:
        raise ValidationError({"predecessors": [_("Nêu ít nhất một cơ quan sáp nhập vào.")]})
    if len(set(codes)) != len(codes):
        raise ValidationError({"predecessors": [_("Mỗi mã chỉ nêu một lần, khác mã cơ quan tiếp nhận.")]})
    found: dict[str, Agency] = {}
    if new_successor is not None:
        unknown = set(new_successor) - set(NEW_SUCCESSOR_FIELDS)
        if unknown:
            message = _("Trường không được biết: %(f)s.") % {"f": ", ".join(sorted(unknown))}
            raise ValidationError({"new_successor": [message]})
        line = agency_new_check(values={"code": successor_code, **new_successor})
        parent = Agency.objects.filter(code=line.parent_code).first() if line.parent_code else None
        found[successor_code] = Agency(code=line.code, parent=parent, **line.values)
        codes = list(predecessor_codes)
    qs = Agency.objects.filter(code__in=codes)
    found.update({a.code: a for a in (qs.select_for_update() if lock else qs)})
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError({"agencies": [_("Không có cơ quan với mã: %(c)s.") % {"c": ", ".join(missing)}]})
    for code in codes:
        agency = found[code]
        if agency.is_external or not agency.is_active or agency.merged_into_id:
            raise ValidationError({"agencies": [
                _("%(c)s là cơ quan ngoài hệ thống, đã ngừng hoạt động hoặc đã sáp nhập.") % {"c": code}]})
    return found[successor_code], [found[c] for c in predecessor_codes]


@cross_agency("merge")
def merger_plan(
    *, successor_code: str, predecessor_codes: list[str], on: datetime.date, memberships: str = "move",
    new_successor: dict[str, str] | None = None, _lock: bool = False,
) -> MergerPlan:
    """What merging ``predecessor_codes`` into ``successor_code`` on ``on`` would move (reads only).

    With ``new_successor`` (``name``, ``kind``, ``parent_code``, ``symbol``, contact fields) the
    successor does not exist yet: the merger creates it, with the units of its kind."""
    if memberships not in MEMBERSHIP_CHOICES:
        raise ValidationError({"memberships": [_("Chọn move hoặc end.")]})
    successor, predecessors = _agencies(successor_code, predecessor_codes, lock=_lock, new_successor=new_successor)
    plan = MergerPlan(successor=successor, predecessors=predecessors, on=on, memberships=memberships,
                      created=new_successor is not None)
    ids = [a.pk for a in predecessors]
    if successor.pk is None:  # new: it will hold the units of its kind and nothing else
        held, successor_files, successor_users, successor_clerks, carry_on = set(), set(), set(), set(), set()
        successor_units = {symbol: symbol for symbol, _name in DEFAULT_UNITS.get(successor.level, ())}
    else:
        with agency_scope(successor.pk):
            held = set(IncomingDocument.objects.exclude(source_document_id=None)
                       .values_list("source_document_id", flat=True))
            successor_units = dict(Unit.objects.values_list("symbol", "pk"))
            successor_files = set(WorkFile.objects.values_list("year", "code"))
            successor_users = set(Membership.objects.values_list("user_id", flat=True))
            active = list(Membership.objects.filter(is_active=True).values_list("user_id", "is_clerk"))
        successor_clerks = {user for user, clerk in active if clerk}
        carry_on = {user for user, _clerk in active}
    order = {pk: i for i, pk in enumerate(ids)}
    with agency_scope(ids):
        copies = sorted(
            IncomingDocument.objects.exclude(status_code__in=CLOSED_STATUSES)
            .values_list("agency_id", "delivered_at", "id", "source_document_id"),
            key=lambda r: (order[r[0]], r[1], r[2]),
        )
        for _agency, _at, pk, source in copies:
            if source is not None and source in held:
                plan.copies_kept.append(pk)
            else:
                plan.copies.append(pk)
                if source is not None:
                    held.add(source)
        plan.drafts = list(OutgoingDocument.objects.exclude(state=OutgoingState.ISSUED)
                           .order_by("agency_id", "created_at", "id").values_list("id", flat=True))
        for pk, year, code in (WorkFile.objects.filter(state=FileState.OPEN)
                               .order_by("agency_id", "opened_at", "id").values_list("id", "year", "code")):
            plan.work_files.append(pk)
            if (year, code) in successor_files:
                plan.work_files_renamed[pk] = _renamed_code(code, len(plan.work_files))
            successor_files.add((year, plan.work_files_renamed.get(pk, code)))
        plan.registers = list(Register.objects.filter(is_active=True).order_by("agency_id", "id")
                              .values_list("id", flat=True))
        for pk, user_id, clerk in (Membership.objects.filter(is_active=True).order_by("agency_id", "created_at")
                                   .values_list("uuid", "user_id", "is_clerk")):
            if memberships == "move" and user_id not in successor_users:
                plan.members_moved.append(pk)
                successor_users.add(user_id)
                carry_on.add(user_id)
                if clerk:
                    successor_clerks.add(user_id)
            else:
                plan.members_ended.append(pk)
        for pk, symbol in Unit.objects.order_by("agency_id", "symbol").values_list("pk", "symbol"):
            if symbol not in successor_units and symbol not in plan.units_created:
                plan.units_created.append(symbol)
            plan.unit_map[pk] = successor_units.get(symbol, symbol)
        _notifications_plan(plan, carry_on, successor_clerks)
    plan.children = list(Agency.objects.filter(parent_id__in=ids).exclude(pk__in=ids)
                         .exclude(code=successor.code).order_by("code").values_list("code", flat=True))
    if successor.parent_id in ids:
        up = successor.parent
        while up is not None and up.pk in ids:
            up = up.parent
        plan.successor_reparented, plan.successor_parent = True, up
    return plan


def _notifications_plan(plan: MergerPlan, carry_on: set[int], clerks: set[int]) -> None:
    """The predecessors' unread notifications (read in their scope): a person who carries on in
    the successor takes theirs along; an agency-wide one of a person who does not goes to each
    of the successor's clerks, once per kind and object."""
    handed: set[tuple[int, str, UUID | None]] = set()
    orphans = []
    for pk, recipient, kind, object_id in (Notification.objects.filter(read_at=None, done_at=None)
                                           .order_by("agency_id", "created_at", "id")
                                           .values_list("id", "recipient_id", "kind", "object_id")):
        if recipient in carry_on:
            plan.notifications_moved.append(pk)
            handed.add((recipient, kind, object_id))
        elif kind in AGENCY_WIDE_KINDS:
            orphans.append((pk, kind, object_id))
    for pk, kind, object_id in orphans:
        for clerk in sorted(clerks):
            if (clerk, kind, object_id) not in handed:
                plan.notifications_to_clerks.append((pk, clerk))
                handed.add((clerk, kind, object_id))


def _renamed_code(code: str, n: int) -> str:
    suffix = f"-SN{n}"
    return code[: 40 - len(suffix)] + suffix


@service(scope=None)
@cross_agency("merge")
def agencies_merge(
    *, successor_code: str, predecessor_codes: list[str], on: datetime.date, memberships: str = "move",
    new_successor: dict[str, str] | None = None, actor: User | None = None,
) -> MergerPlan:
    """Merge the predecessors into the successor as ``merger_plan`` says, all or nothing.

    A ``new_successor`` is created first (``tenancy.directory_import.agency_create``: the
    directory import's checks, units and registers), in the same transaction. The agencies are
    locked, so the plan cannot change under the merger. Writes the rows of the successor and of
    the predecessors (every UPDATE names both its ids and the predecessors' agency ids), the
    ``parent`` of the predecessors' subordinate agencies, and one audit event in each log.
    """
    if new_successor is not None:
        _agencies(successor_code, predecessor_codes, lock=True, new_successor=new_successor)  # all checks first
        agency_create(values={"code": successor_code, **new_successor}, actor=actor)
    plan = merger_plan(successor_code=successor_code, predecessor_codes=predecessor_codes, on=on,
                       memberships=memberships, _lock=True)
    plan.created = new_successor is not None
    successor, pred_ids = plan.successor, [a.pk for a in plan.predecessors]
    units = _units_create(plan)

    def moved(model, ids, key="pk", **extra):
        rows = model.objects.cross_agency("merge").filter(agency_id__in=pred_ids)
        return sum(  # in chunks: a statement takes at most 65,535 parameters
            rows.filter(**{f"{key}__in": ids[i:i + ID_CHUNK]}).update(agency_id=successor.pk, **extra)
            for i in range(0, len(ids), ID_CHUNK)
        )

    with cross_agency("merge"):
        moved(IncomingDocument, plan.copies)
        for child in (IncomingAttachment, Assignment, HandlingNote, StatusReport, IntakeScan):
            # The rows of the copies just moved: one statement each, whatever their number.
            child.objects.filter(agency_id__in=pred_ids, incoming__agency_id=successor.pk).update(
                agency_id=successor.pk)
        moved(OutgoingDocument, plan.drafts, unit_id=units("unit_id"))
        moved(Attachment, plan.drafts, key="document_id")
        moved(SigningRequest, plan.drafts, key="document_id")
        for pk, code in plan.work_files_renamed.items():  # a code the successor has already
            work_file = WorkFile.objects.get(pk=pk, agency_id__in=pred_ids)
            work_file.code = code
            work_file.save(update_fields=["code", "search_text"])
        moved(WorkFile, plan.work_files, unit_id=units("unit_id"))
        FileDocument.objects.filter(agency_id__in=pred_ids, work_file__agency_id=successor.pk).update(
            agency_id=successor.pk)
        moved(Membership, plan.members_moved, key="uuid", unit_id=units("unit_id"))
        if plan.members_ended:
            Membership.objects.filter(agency_id__in=pred_ids, uuid__in=plan.members_ended).update(is_active=False)
        Register.objects.filter(agency_id__in=pred_ids, id__in=plan.registers).update(is_active=False)
        moved(Notification, plan.notifications_moved)
        _notifications_hand(plan, pred_ids)
    children = list(Agency.objects.filter(code__in=plan.children, parent_id__in=pred_ids).select_related("parent"))
    Agency.objects.filter(pk__in=[a.pk for a in children]).update(parent=successor)
    if plan.successor_reparented:
        Agency.objects.filter(pk=successor.pk).update(parent=plan.successor_parent)
    Agency.objects.filter(pk__in=pred_ids).update(is_active=False, merged_into=successor, merged_on=plan.on)
    AgencyAlias.objects.filter(agency_id__in=pred_ids).update(agency=successor)
    aliases = [AgencyAlias(code=a.code, agency=successor, since=plan.on) for a in plan.predecessors]
    for alias in aliases:
        alias.full_clean(exclude=["agency"])
    AgencyAlias.objects.bulk_create(aliases)
    counts = plan.counts()
    events_record(events=[
        EventSpec(agency_id=successor.pk, actor_id=actor.pk if actor else None, action="agency.merged",
                  object_type="agency", object_id=successor.uuid,
                  data={"predecessors": [a.code for a in plan.predecessors], "on": plan.on.isoformat(), **counts}),
        *(EventSpec(agency_id=a.pk, actor_id=actor.pk if actor else None, action="agency.merged_into",
                    object_type="agency", object_id=a.uuid, state_before="active", state_after="merged",
                    data={"successor": successor.code, "on": plan.on.isoformat(), **counts})
          for a in plan.predecessors),
        *(EventSpec(agency_id=a.pk, actor_id=actor.pk if actor else None, action="agency.reparented",
                    object_type="agency", object_id=a.uuid, state_before=a.parent.code, state_after=successor.code,
                    data={"successor": successor.code, "on": plan.on.isoformat()})
          for a in children),
    ])
    return plan


def _notifications_hand(plan: MergerPlan, pred_ids: list[int]) -> None:
    """The successor's clerks get the agency-wide notifications nobody carries over (kept unread
    for them, no e-mail: the work is not new)."""
    if not plan.notifications_to_clerks:
        return
    sources = {n.id: n for n in Notification.objects.filter(
        agency_id__in=pred_ids, id__in=[pk for pk, _clerk in plan.notifications_to_clerks])}
    notifications_create(notices=[
        Notice(agency_id=plan.successor.pk, user_id=clerk, kind=sources[pk].kind, title=sources[pk].title,
               body=sources[pk].body, object_type=sources[pk].object_type, object_id=sources[pk].object_id,
               dedup_key=f"merged:{pk}:{clerk}", email=False)
        for pk, clerk in plan.notifications_to_clerks
    ])


def _units_create(plan: MergerPlan):
    """Create the units the successor lacks; returns a builder of the ``unit_id`` remapping
    expression (one CASE over the predecessors' units)."""
    successor = plan.successor
    with agency_scope([a.pk for a in plan.predecessors]):
        names = dict(Unit.objects.filter(symbol__in=plan.units_created).values_list("symbol", "name"))
    Unit.objects.cross_agency("merge").bulk_create(
        [Unit(agency=successor, symbol=s, name=names[s]) for s in plan.units_created])
    with agency_scope(successor.pk):
        by_symbol = dict(Unit.objects.values_list("symbol", "pk"))
    mapping = {old: new if isinstance(new, int) else by_symbol[new] for old, new in plan.unit_map.items()}

    def remap(column: str):
        if not mapping:
            return None
        return Case(*(When(**{column: old}, then=Value(new)) for old, new in mapping.items()), default=None)
    return remap

