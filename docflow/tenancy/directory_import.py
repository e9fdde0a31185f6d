"""Onboarding a whole province at once: the agency directory from CSV, checked, then written in bulk.

The file has the header ``code,name,kind,parent_code,symbol`` and, optionally, the columns in
``OPTIONAL_COLUMNS`` (contact details, and each agency's first clerk and admin). Every line is
checked before anything is written (``directory_check``): an error names its line and column, and
one error anywhere writes nothing. Parents may come later in the file or exist already; a cycle
is refused. ``directory_import`` then writes in batches with a fixed number of queries each
(reads, ``bulk_create``, ``bulk_update``); the same file again changes nothing, a changed file
updates names, kinds, symbols, contacts and parents. A new agency gets the units and registers
of its kind; a new clerk or admin gets an unusable password and a one-time link to set one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from docflow.audit.services import EventSpec, events_record
from docflow.core.scoping import cross_agency
from docflow.core.services import service, service_transaction
from docflow.core.text import fold
from docflow.tenancy.kinds import DEFAULT_UNITS, PEOPLES_COMMITTEE_KINDS
from docflow.tenancy.models import (
    AGENCY_CODE_RE, Agency, AgencyAlias, AgencyLevel, Membership, Unit, User, symbol_validator,
)
from docflow.tenancy.passwords import reset_urls

REQUIRED_COLUMNS = ("code", "name", "kind", "parent_code", "symbol")
CONTACT_COLUMNS = ("short_name", "place", "email", "phone", "address")
PEOPLE_COLUMNS = ("clerk_username", "clerk_email", "clerk_full_name",
                  "admin_username", "admin_email", "admin_full_name")
OPTIONAL_COLUMNS = CONTACT_COLUMNS + PEOPLE_COLUMNS
# What a line sets on its agency (compared to tell "unchanged" from "updated").
AGENCY_FIELDS = ("name", "level", "symbol", "short_name", "place", "email", "phone", "address")
BATCH_SIZE = 500
MAX_ROWS = 50_000
PERSON_ROLES = {"clerk": ("is_clerk", "Văn thư"), "admin": ("is_agency_admin", "Quản trị đơn vị")}

# Other packages add what a new agency starts with (documents: its registers), called with the
# agencies of one batch just created; each makes a fixed number of queries (bulk).
agency_provisioners: list[Callable[[list[Agency]], None]] = []


@dataclass(frozen=True)
class LineError:
    line: int  # 1 is the header
    column: str
    message: str

    def __str__(self) -> str:
        return _("dòng %(line)d, cột %(column)s: %(message)s") % {
            "line": self.line, "column": self.column, "message": self.message}


@dataclass
class Line:
    number: int
    code: str
    parent_code: str
    values: dict[str, str]  # AGENCY_FIELDS
    people: dict[str, tuple[str, str, str]]  # role → (username, email, full name)


@dataclass
class DirectoryPlan:
    """What the file would do: its lines, the errors, and the agencies new or changed."""

    lines: list[Line] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # codes
    updated: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)  # usernames

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class FirstLogin:
    username: str
    agency_code: str
    role: str
    url: str  # one-time link to set the password


@dataclass
class DirectoryResult:
    created: int
    updated: int
    logins: list[FirstLogin]


class DirectoryInvalid(Exception):
    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:20]))
        self.errors = errors


def _rows(text: str, plan: DirectoryPlan) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    for column in missing:
        plan.errors.append(LineError(1, column, _("Thiếu cột bắt buộc.")))
    for column in unknown:
        plan.errors.append(LineError(1, column, _("Cột không được biết.")))
    if missing or unknown:
        return []
    reader.fieldnames = header
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            plan.errors.append(LineError(reader.line_num, "code", _("Quá %(n)d dòng.") % {"n": MAX_ROWS}))
            break
        if None in row:
            plan.errors.append(LineError(reader.line_num, "code", _("Dòng có nhiều cột hơn tiêu đề.")))
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows


def _line_check(number: int, row: dict[str, str], plan: DirectoryPlan) -> Line:
    def error(column: str, message: str) -> None:
        plan.errors.append(LineError(number, column, str(message)))

    code, parent_code, kind = row["code"], row["parent_code"], row["kind"]
    if not AGENCY_CODE_RE.match(code):
        error("code", _("Mã định danh phải có dạng NNN.NN.NN.LNN, ví dụ 000.00.31.H52."))
    if parent_code and not AGENCY_CODE_RE.match(parent_code):
        error("parent_code", _("Mã định danh phải có dạng NNN.NN.NN.LNN, ví dụ 000.00.31.H52."))
    if parent_code and parent_code == code:
        error("parent_code", _("Cơ quan không thể là cấp trên của chính mình."))
    if not row["name"] or len(row["name"]) > 255:
        error("name", _("Nhập tên cơ quan (tối đa 255 ký tự)."))
    if kind not in AgencyLevel.values:
        error("kind", _("Loại phải là một trong: %(k)s.") % {"k": ", ".join(AgencyLevel.values)})
    symbol = row["symbol"] or ("UBND" if kind in PEOPLES_COMMITTEE_KINDS else "")
    try:
        symbol_validator(symbol)
    except ValidationError as exc:
        error("symbol", exc.messages[0])
    values = {"name": row["name"], "level": kind, "symbol": symbol}
    for column, limit in (("short_name", 120), ("place", 120), ("phone", 40), ("address", 255)):
        values[column] = row.get(column, "")
        if len(values[column]) > limit:
            error(column, _("Tối đa %(n)d ký tự.") % {"n": limit})
    values["email"] = row.get("email", "")
    _email_check(values["email"], "email", error)
    people = {}
    for role in PERSON_ROLES:
        username = row.get(f"{role}_username", "")
        email = row.get(f"{role}_email", "")
        if not username:
            if email:
                error(f"{role}_username", _("Nhập tên đăng nhập cho email này."))
            continue
        try:
            UnicodeUsernameValidator()(username)
            if len(username) > 150:
                raise ValidationError(_("Tối đa 150 ký tự."))
        except ValidationError as exc:
            error(f"{role}_username", exc.messages[0])
        _email_check(email, f"{role}_email", error)
        people[role] = (username, email, row.get(f"{role}_full_name", "") or username)
    return Line(number, code, parent_code, values, people)


def _email_check(value: str, column: str, error) -> None:
    if value:
        try:
            validate_email(value)
        except ValidationError:
            error(column, _("Địa chỉ thư điện tử không hợp lệ."))


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing(codes: list[str], size: int) -> dict[str, Agency]:
    """The agencies the file names, and their superiors up the tree (to see a cycle that runs
    through the directory): one query per batch and level."""
    found: dict[str, Agency] = {}
    wanted = codes
    while wanted:
        for chunk in _chunks(wanted, size):
            found.update({a.code: a for a in Agency.objects.filter(code__in=chunk).select_related("parent")})
        wanted = list({a.parent.code for a in found.values() if a.parent_id} - set(found))
    return found


def _cross_check(plan: DirectoryPlan, existing: dict[str, Agency], size: int) -> None:
    """Duplicates, unknown parents and cycles across the file and the directory."""
    seen: dict[str, int] = {}
    for line in plan.lines:
        if line.code in seen:
            plan.errors.append(LineError(line.number, "code", _("Mã đã có ở dòng %(n)d.") % {"n": seen[line.code]}))
        seen.setdefault(line.code, line.number)
        agency = existing.get(line.code)
        if agency is not None and (agency.is_external or agency.merged_into_id):
            plan.errors.append(LineError(line.number, "code", _(
                "Mã này là cơ quan ngoài hệ thống hoặc đã sáp nhập: không sửa bằng danh mục.")))
    _aliases_check(plan, existing, size)
    parents = {a.code: (a.parent.code if a.parent_id else "") for a in existing.values() if a.parent_id}
    parents.update({line.code: line.parent_code for line in plan.lines})
    for line in plan.lines:
        if line.parent_code and line.parent_code not in seen and line.parent_code not in existing:
            plan.errors.append(LineError(line.number, "parent_code", _("Không có cơ quan cấp trên với mã này.")))
        parent = existing.get(line.parent_code)
        if parent is not None and (parent.is_external or parent.merged_into_id):
            plan.errors.append(LineError(line.number, "parent_code", _(
                "Cơ quan cấp trên là cơ quan ngoài hệ thống hoặc đã sáp nhập.")))
    for line in plan.lines:
        walk, code = {line.code}, parents.get(line.code, "")
        while code and code not in walk:
            walk.add(code)
            code = parents.get(code, "")
        if code == line.code and line.parent_code != line.code:
            plan.errors.append(LineError(line.number, "parent_code", _("Quan hệ cấp trên tạo thành vòng.")))
    usernames: dict[str, int] = {}
    for line in plan.lines:
        for role, (username, _email, _name) in line.people.items():
            if username in usernames:
                plan.errors.append(LineError(line.number, f"{role}_username",
                                             _("Tên đăng nhập đã có ở dòng %(n)d.") % {"n": usernames[username]}))
            usernames.setdefault(username, line.number)
    _people_check(plan, existing, usernames, size)


def _aliases_check(plan: DirectoryPlan, existing: dict[str, Agency], size: int) -> None:
    """A new agency's code may not be an old code that reaches a successor (one read per batch)."""
    new = [line.code for line in plan.lines if line.code not in existing]
    taken: set[str] = set()
    for chunk in _chunks(new, size):
        taken.update(AgencyAlias.objects.filter(code__in=chunk).values_list("code", flat=True))
    for line in plan.lines:
        if line.code in taken:
            plan.errors.append(LineError(line.number, "code", _(
                "Mã này là mã cũ của một cơ quan đã sáp nhập: chọn mã khác.")))


def _people_check(plan: DirectoryPlan, existing: dict[str, Agency], usernames: dict[str, int], size: int) -> None:
    """A first clerk or admin is new, or already a member of that agency (nothing to do)."""
    names = list(usernames)
    members: dict[str, set[str]] = {}
    with cross_agency("directory"):  # whose members they are, in every agency
        for chunk in _chunks(names, size):
            for username, code in (User.objects.filter(username__in=chunk)
                                   .values_list("username", "memberships__agency__code")):
                members.setdefault(username, set()).add(code)
    for line in plan.lines:
        for role, (username, _email, _name) in line.people.items():
            if username not in members:
                plan.new_people.append(username)
            elif line.code not in members[username]:
                plan.errors.append(LineError(line.number, f"{role}_username",
                                             _("Tên đăng nhập này đã thuộc người khác.")))


def _changed(agency: Agency, line: Line, parent_id: int | None) -> bool:
    return agency.parent_id != parent_id or any(
        getattr(agency, name) != value for name, value in line.values.items())


def directory_check(*, text: str, batch_size: int = BATCH_SIZE) -> DirectoryPlan:
    """Read the file and check every line against the file and the directory; writes nothing."""
    plan = DirectoryPlan()
    plan.lines = [_line_check(number, row, plan) for number, row in _rows(text, plan)]
    if not plan.lines:
        return plan
    codes = list({c for line in plan.lines for c in (line.code, line.parent_code) if c})
    with service_transaction():  # the directory read in one transaction
        existing = _existing(codes, batch_size)
    _cross_check(plan, existing, batch_size)
    for line in plan.lines:
        agency = existing.get(line.code)
        if agency is None:
            plan.created.append(line.code)
        else:
            parent = existing.get(line.parent_code)
            parent_id = parent.pk if parent else None
            if line.parent_code and parent is None or _changed(agency, line, parent_id):
                plan.updated.append(line.code)
    plan.errors = sorted(set(plan.errors), key=lambda e: (e.line, e.column))
    return plan


@service(scope=None)
def directory_import(*, text: str, actor: User | None = None, batch_size: int = BATCH_SIZE) -> DirectoryResult:
    """Check the whole file, then write it: all lines or none (DirectoryInvalid with every error).

    Lines are written superiors first (by depth in the file), so a new agency is inserted with
    its parent. Per batch of at most ``batch_size`` lines of one depth, a fixed number of
    queries: read the batch's agencies, insert the new ones, update the changed ones, insert
    the new agencies' units, registers, people and memberships, and the audit events (one per
    agency created or changed, in that agency's log). The same file again writes nothing.
    """
    plan = directory_check(text=text, batch_size=batch_size)
    if not plan.ok:
        raise DirectoryInvalid(plan.errors)
    ids = _outside_parent_ids(plan, batch_size)
    created = changed = 0
    logins: list[FirstLogin] = []
    new_people = set(plan.new_people)
    for lines in _batches_by_depth(plan.lines, batch_size):
        existing = {a.code: a for a in Agency.objects.filter(code__in=[ln.code for ln in lines])}
        new = [_agency_new(line, ids.get(line.parent_code)) for line in lines if line.code not in existing]
        Agency.objects.bulk_create(new, batch_size=batch_size)
        if new and new[0].pk is None:  # a database that returns no ids from a bulk INSERT
            pks = dict(Agency.objects.filter(code__in=[a.code for a in new]).values_list("code", "pk"))
            for agency in new:
                agency.pk = pks[agency.code]
        ids.update({a.code: a.pk for a in (*existing.values(), *new)})
        updated = _updates(lines, existing, ids)
        if updated:
            Agency.objects.bulk_update([a for a, _before in updated], ["parent", "search_text", *AGENCY_FIELDS],
                                       batch_size=batch_size)
        _provision(new, batch_size)
        logins += _people_create(lines, ids, new_people, batch_size)
        events_record(events=[
            *(_event(a, "agency.imported", "") for a in new),
            *(_event(a, "agency.updated", before) for a, before in updated),
        ])
        created, changed = created + len(new), changed + len(updated)
    return DirectoryResult(created=created, updated=changed, logins=logins)


NEW_AGENCY_COLUMNS = ("code", "name", "kind", "parent_code", "symbol", *CONTACT_COLUMNS)


def agency_new_check(*, values: dict[str, str]) -> Line:
    """One agency to create outside a file (a merger's new successor): checked as a line of
    the directory file is (the same checks), and its code new to the directory — neither an
    agency's nor an old code. Reads only; ``ValidationError`` keyed by the file's columns."""
    unknown = set(values) - set(NEW_AGENCY_COLUMNS)
    if unknown:
        raise ValueError(f"unknown columns: {sorted(unknown)}")
    row = {column: (values.get(column) or "").strip() for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    plan = DirectoryPlan()
    plan.lines = [_line_check(2, row, plan)]
    existing = _existing([c for c in (row["code"], row["parent_code"]) if c], BATCH_SIZE)
    _cross_check(plan, existing, BATCH_SIZE)
    if row["code"] in existing:
        plan.errors.append(LineError(2, "code", _("Đã có cơ quan với mã này.")))
    if plan.errors:
        by_column: dict[str, list[str]] = {}
        for error in sorted(set(plan.errors), key=lambda e: e.column):
            by_column.setdefault(error.column, []).append(error.message)
        raise ValidationError(by_column)
    return plan.lines[0]


@service(scope=None)
def agency_create(*, values: dict[str, str], actor: User | None = None) -> Agency:
    """Create one agency checked by ``agency_new_check``, with the units and registers of its
    kind, as the import does (``agency.imported`` in its log). Called by another service it joins
    that one's transaction: a merger that creates its successor and then fails leaves nothing."""
    line = agency_new_check(values=values)
    parent_id = None
    if line.parent_code:
        parent_id = Agency.objects.filter(code=line.parent_code).values_list("pk", flat=True).first()
    agency = _agency_new(line, parent_id)
    agency.save()
    _provision([agency], BATCH_SIZE)
    events_record(events=[_event(agency, "agency.imported", "")])
    return agency


def _batches_by_depth(lines: list[Line], size: int) -> Iterable[list[Line]]:
    """Batches of lines of one depth in the file's tree, superiors first (the check refused cycles)."""
    by_code = {line.code: line for line in lines}
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        walk, up = [], code
        while up in by_code and up not in depth:
            walk.append(up)
            up = by_code[up].parent_code
        base = depth.get(up, -1)  # -1: the top of the walk has no superior in the file
        for n, item in enumerate(reversed(walk), start=1):
            depth[item] = base + n
        return depth[code]

    levels: dict[int, list[Line]] = {}
    for line in lines:
        levels.setdefault(depth_of(line.code), []).append(line)
    for level in sorted(levels):
        yield from _chunks(levels[level], size)


def _updates(lines: list[Line], existing: dict[str, Agency], ids: dict[str, int]) -> list[tuple[Agency, str]]:
    """The existing agencies whose line changes them, set to the line; with their state before."""
    updated = []
    for line in lines:
        agency = existing.get(line.code)
        parent_id = ids.get(line.parent_code)
        if agency is None or not _changed(agency, line, parent_id):
            continue
        before = f"{agency.level}:{agency.parent_id or ''}"
        for name, value in line.values.items():
            setattr(agency, name, value)
        agency.parent_id, agency.search_text = parent_id, fold(f"{agency.code} {agency.name}")
        updated.append((agency, before))
    return updated


def _event(agency: Agency, action: str, before: str) -> EventSpec:
    """An event about the agency; its actor is the importing user (the service's)."""
    return EventSpec(
        agency_id=agency.pk, object_type="agency",
        object_id=agency.uuid, action=action, state_before=before[:32],
        state_after=f"{agency.level}:{agency.parent_id or ''}"[:32],
        data={"code": agency.code, "name": agency.name},
    )


def _agency_new(line: Line, parent_id: int | None) -> Agency:
    agency = Agency(code=line.code, parent_id=parent_id, **line.values)
    agency.search_text = fold(f"{agency.code} {agency.name}")
    return agency


def _outside_parent_ids(plan: DirectoryPlan, size: int) -> dict[str, int]:
    """The ids of the superiors that are in the directory but not in the file."""
    in_file = {ln.code for ln in plan.lines}
    wanted = list({ln.parent_code for ln in plan.lines if ln.parent_code and ln.parent_code not in in_file})
    found: dict[str, int] = {}
    for chunk in _chunks(wanted, size):
        found.update(Agency.objects.filter(code__in=chunk).values_list("code", "pk"))
    return found


def _provision(new: list[Agency], size: int) -> None:
    """The units of each new agency's kind (one INSERT), and what other packages add."""
    if not new:
        return
    units = [Unit(agency_id=a.pk, symbol=symbol, name=name)
             for a in new for symbol, name in DEFAULT_UNITS.get(a.level, ())]
    Unit.objects.cross_agency("system").bulk_create(units, batch_size=size)
    for provision in agency_provisioners:
        provision(new)


def _people_create(lines: list[Line], ids: dict[str, int], new_people: set[str], size: int) -> list[FirstLogin]:
    """First clerks and admins: users with an unusable password, their memberships in the office
    unit, and a one-time link each to set a password (three INSERTs and a read of the units)."""
    wanted = [(line, role, person) for line in lines for role, person in line.people.items()
              if person[0] in new_people]
    if not wanted:
        return []
    users = [User(username=u, email=e, full_name=n, password=make_password(None)) for _l, _r, (u, e, n) in wanted]
    User.objects.bulk_create(users, batch_size=size)
    by_name = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
    for user in users:
        user.pk = user.pk or by_name[user.username]
    agency_ids = {line.code: ids[line.code] for line, _role, _person in wanted}
    offices = dict(Unit.objects.cross_agency("system").filter(agency_id__in=agency_ids.values(), symbol="VP")
                   .values_list("agency_id", "pk"))
    memberships = []
    for (line, role, _person), user in zip(wanted, users):
        agency_id = agency_ids[line.code]
        flag, position = PERSON_ROLES[role]
        memberships.append(Membership(agency_id=agency_id, user_id=user.pk, unit_id=offices.get(agency_id),
                                      position=str(position), **{flag: True}))
    Membership.objects.cross_agency("system").bulk_create(memberships, batch_size=size)
    return [
        FirstLogin(username=user.username, agency_code=line.code, role=role, url=url)
        for ((line, role, _person), user), url in zip(zip(wanted, users), reset_urls(users))
    ]
