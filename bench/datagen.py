"""The shared data generator of the benchmarks: many agencies with members, made fast.

Every benchmark under ``bench/`` builds its data here so the figures are comparable. Rows are
written with ``bulk_create`` (one INSERT per table and batch), never one ``save()`` per row, and
outside any tenant scope on purpose: arranging data is not a tenant query.

    from bench.datagen import django_setup, Dataset
    django_setup()
    data = Dataset.create(tag="B1", agencies=1000)          # 1,000 communes, each with members
    data.sender, data.recipients, data.members_of(agency, "clerk")

Agency codes are ``NNN.NN.<tag-digits>.<tag-letter>NN``-shaped and derived from ``tag``, so two
runs with different tags never collide, and ``Dataset.delete(tag=...)`` removes one run's rows.
"""

from __future__ import annotations

import os
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-pass-123"
ROLE_FIELDS = {"clerk": "is_clerk", "leader": "is_leader", "staff": "is_staff_member",
               "agency_admin": "is_agency_admin"}
POSITIONS = {"clerk": "Văn thư", "leader": "Chủ tịch", "staff": "Chuyên viên",
             "agency_admin": "Quản trị"}
DEFAULT_ROLES = ("clerk", "leader", "staff")


def django_setup() -> None:
    """Make the project importable and configure Django (DATABASE_URL from the environment)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docflow.settings")
    import django

    django.setup()


def postgres_required(why: str) -> None:
    """Stop a benchmark that measures PostgreSQL when DATABASE_URL names another database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"set DATABASE_URL=postgres://… (and migrate): {why}")


def tag_code_parts(tag: str) -> tuple[str, str]:
    """A tag → the third group (2 digits) and the letter of the code: stable per tag."""
    h = zlib.crc32(tag.encode())
    return f"{h % 100:02d}", "ABCDEFGHJKLMNPQRSTUVWXYZ"[(h // 100) % 24]


def agency_code(tag: str, index: int) -> str:
    """The code of agency ``index`` (0-based, < 100,000 × 100) of a run tagged ``tag``."""
    third, letter = tag_code_parts(tag)
    return f"{index % 1000:03d}.{(index // 1000) % 100:02d}.{third}.{letter}{(index // 100000) % 100:02d}"


def agencies_create(*, tag: str, count: int, start: int = 0, symbol: str = "UBND",
                    level: str = "commune", parent=None, batch_size: int = 1000) -> list:
    """Create ``count`` agencies of run ``tag`` in bulk; returns them with their pks."""
    from docflow.core.text import fold
    from docflow.tenancy.models import Agency

    rows = []
    for i in range(start, start + count):
        code = agency_code(tag, i)
        name = f"Ủy ban nhân dân xã Đo Hiệu Năng {tag} {i}"
        rows.append(Agency(
            code=code, name=name, short_name=f"UBND XÃ ĐO HIỆU NĂNG {tag} {i}", symbol=symbol,
            level=level, parent=parent, place="Bắc Yên", search_text=fold(f"{code} {name}"),
        ))
    return Agency.objects.bulk_create(rows, batch_size=batch_size)


def units_create(*, agencies: list, symbol: str = "VP", name: str = "Văn phòng",
                 batch_size: int = 1000) -> list:
    """One unit per agency (bulk)."""
    from docflow.tenancy.models import Unit

    rows = [Unit(agency_id=a.pk, symbol=symbol, name=name) for a in agencies]
    return Unit.objects.cross_agency("system").bulk_create(rows, batch_size=batch_size)


def members_create(*, agencies: list, roles: tuple[str, ...] = DEFAULT_ROLES, units: list | None = None,
                   tag: str, batch_size: int = 1000) -> list:
    """One user per (agency, role), member of that agency with that role; the password is
    hashed once and shared. Returns the memberships (with ``user`` set)."""
    from django.contrib.auth.hashers import make_password

    from docflow.tenancy.models import Membership, User

    password_hash = make_password(PASSWORD)
    unit_by_agency = {u.agency_id: u for u in units or []}
    users, pairs = [], []
    for agency in agencies:
        for role in roles:
            username = f"b{tag.lower()}_{agency.pk}_{role}"
            users.append(User(username=username, full_name=f"{POSITIONS[role]} {agency.pk}",
                              email=f"{username}@bench.test", password=password_hash))
            pairs.append((agency, role))
    users = User.objects.bulk_create(users, batch_size=batch_size)
    memberships = []
    for user, (agency, role) in zip(users, pairs, strict=True):
        unit = unit_by_agency.get(agency.pk)
        memberships.append(Membership(
            agency_id=agency.pk, user=user, unit_id=unit.pk if unit else None,
            position=POSITIONS[role], **{ROLE_FIELDS[role]: True},
        ))
    return Membership.objects.cross_agency("system").bulk_create(memberships, batch_size=batch_size)


@dataclass
class Dataset:
    """One run's data: a sender agency and ``agencies - 1`` recipient agencies, all with a
    unit ``VP`` and one clerk, one leader and one staff member each."""

    tag: str
    agencies: list
    units: list
    memberships: list
    _by_agency: dict = field(default_factory=dict, repr=False)

    @classmethod
    def create(cls, *, tag: str, agencies: int, roles: tuple[str, ...] = DEFAULT_ROLES) -> Dataset:
        from django.db import transaction

        with transaction.atomic():
            made = agencies_create(tag=tag, count=agencies)
            units = units_create(agencies=made)
            memberships = members_create(agencies=made, roles=roles, units=units, tag=tag)
        return cls(tag=tag, agencies=made, units=units, memberships=memberships)

    @property
    def sender(self):
        return self.agencies[0]

    @property
    def recipients(self) -> list:
        return self.agencies[1:]

    def unit_of(self, agency):
        return next(u for u in self.units if u.agency_id == agency.pk)

    def members_of(self, agency, role: str) -> list:
        if not self._by_agency:
            for m in self.memberships:
                self._by_agency.setdefault(m.agency_id, []).append(m)
        return [m for m in self._by_agency.get(agency.pk, []) if getattr(m, ROLE_FIELDS[role])]

    def member(self, agency, role: str):
        return self.members_of(agency, role)[0]

    @staticmethod
    def delete(*, tag: str) -> None:
        """Remove every row a run tagged ``tag`` made, with raw SQL in dependency order (the
        rows other benchmarks hang on these agencies go first)."""
        from django.db import connection, transaction

        from docflow.tenancy.models import Agency

        third, letter = tag_code_parts(tag)
        ids = list(Agency.objects.filter(code__regex=rf"^\d{{3}}\.\d{{2}}\.{third}\.{letter}\d{{2}}$")
                   .values_list("pk", flat=True))
        if not ids:
            return
        tables = tenant_tables_in_delete_order()
        from docflow.core.db.owner import as_owner

        # As the tables' owner (when the run connects as the app role): row-level security would
        # hide the rows, and only the owner may turn the triggers off.
        with as_owner(), transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The audit log's append-only trigger refuses every DELETE; a benchmark's own
                # agencies go whole, so triggers are off for this transaction only.
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table, column in tables:
                cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" = ANY(%s)', [ids])
            users = 'SELECT u.id FROM "tenancy_user" u WHERE u.username LIKE %s'
            # API tokens the benchmarks gave the run's users go with them.
            cursor.execute(f'DELETE FROM "api_apitoken" WHERE user_id IN ({users})', [f"b{tag.lower()}\\_%"])
            cursor.execute(f'DELETE FROM "tenancy_user" WHERE id IN ({users})', [f"b{tag.lower()}\\_%"])
            cursor.execute('DELETE FROM "tenancy_agency" WHERE id = ANY(%s)', [ids])


def tenant_tables_in_delete_order() -> list[tuple[str, str]]:
    """(table, agency column) of every tenant-owned table, children before parents."""
    from django.apps import apps

    from docflow.tenancy.models import Agency

    tables: list[tuple[str, str, object]] = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is Agency and model is not Agency:
                tables.append((model._meta.db_table, f.column, model))
    order = {model: _depth(model) for _, _, model in tables}
    tables.sort(key=lambda t: -order[t[2]])
    return [(table, column) for table, column, _ in tables]


def _depth(model, seen: frozenset = frozenset()) -> int:
    """How far below the root a model hangs (its FKs to other models, Agency/User excluded)."""
    from docflow.tenancy.models import Agency, User

    depths = [0]
    for f in model._meta.concrete_fields:
        target = f.related_model if f.is_relation else None
        if target is None or target in (Agency, User) or target is model or target in seen:
            continue
        depths.append(1 + _depth(target, seen | {model}))
    return max(depths)


# --- Incoming copies (the incoming-documents benchmark) -----------------------------------

INCOMING_SUBJECTS = (
    "Về việc báo cáo kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội",
    "Về việc triển khai công tác phòng, chống thiên tai và tìm kiếm cứu nạn",
    "Về việc tăng cường quản lý đất đai trên địa bàn",
    "Về việc tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
    "Về việc rà soát hộ nghèo, hộ cận nghèo năm nay",
    "Về việc đôn đốc thu ngân sách nhà nước",
    "Về việc bảo đảm an toàn lưới điện nông thôn",
    "Về việc chuẩn bị khai giảng năm học mới",
)
INCOMING_DOC_TYPES = ("cong_van", "cong_van", "cong_van", "thong_bao", "ke_hoach", "quyet_dinh", "bao_cao", "giay_moi")
# Mostly handled to the end, as a real register after a year or two; a few of every other state.
INCOMING_STATUSES = ("06",) * 12 + ("05", "05", "04", "04", "03", "01", "02", "15")
INCOMING_URGENCIES = ("normal",) * 7 + ("urgent", "very_urgent", "flash")
INCOMING_SIGNER = ("Lò Văn Minh", "Chủ tịch")
# Bodies for copies that need one (the search benchmark): "{ma}" becomes a file code HS-000000…
# HS-049999, so one code is in 1 copy of 50,000 (a selective search) while the words around it
# are everywhere.
INCOMING_CONTENTS = (
    "Căn cứ Luật Tổ chức chính quyền địa phương; thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, "
    "đề nghị Ủy ban nhân dân các xã rà soát, tổng hợp và báo cáo kết quả trước ngày 25 hằng "
    "tháng. Hồ sơ kèm theo mã {ma}. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, "
    "phản ánh về Văn phòng để tổng hợp, báo cáo Chủ tịch xem xét, giải quyết.",
    "Thực hiện Kế hoạch của Ban Chỉ đạo huyện, yêu cầu các thôn, bản tổ chức kiểm tra hiện "
    "trường, lập biên bản và gửi về Phòng Tài nguyên và Môi trường (hồ sơ {ma}) để thẩm định. "
    "Thời gian hoàn thành chậm nhất trong 10 ngày làm việc kể từ ngày nhận được văn bản này.",
    "Để chuẩn bị cho mùa mưa lũ, đề nghị các cơ quan, đơn vị chủ động phương án phòng, chống "
    "thiên tai, bố trí lực lượng trực 24/24 giờ, kiểm tra các điểm có nguy cơ sạt lở, ngập úng "
    "và kịp thời di dời người dân đến nơi an toàn. Mã theo dõi {ma}.",
    "Ủy ban nhân dân huyện giao Phòng Giáo dục và Đào tạo chủ trì, phối hợp với các trường học "
    "kiểm tra cơ sở vật chất, sách giáo khoa, đồ dùng dạy học; báo cáo kết quả bằng văn bản, "
    "ghi rõ số hồ sơ {ma}, trước khi khai giảng năm học mới.",
    "Về đề nghị của Ủy ban nhân dân xã tại Tờ trình số 15/TTr-UBND, Chủ tịch Ủy ban nhân dân "
    "huyện có ý kiến như sau: đồng ý về chủ trương, giao Phòng Kinh tế và Hạ tầng hướng dẫn "
    "lập hồ sơ {ma} theo đúng quy định hiện hành.",
    "Tiếp nhận phản ánh của công dân về việc sử dụng đất tại bản Pá Chặp, đề nghị Ủy ban nhân "
    "dân xã kiểm tra, xác minh và trả lời công dân theo quy định; kết quả gửi về Thanh tra "
    "huyện kèm hồ sơ {ma}.",
)
CONTENT_CODES = 50_000


def insert_select(model, expressions: dict[str, str], source: str, params: dict) -> str:
    """INSERT … SELECT for ``model``: the given column expressions, the rest their default."""
    from django.db.models import JSONField

    columns, values = [], []
    for f in model._meta.concrete_fields:
        columns.append(f'"{f.column}"')
        if f.column in expressions:
            values.append(expressions[f.column])
        elif isinstance(f, JSONField):
            values.append("'[]'::jsonb")
        elif f.null:
            values.append("NULL")
        elif f.get_default() is not None:
            params[f"default_{f.column}"] = f.get_default()
            values.append(f"%(default_{f.column})s")
        else:
            raise ValueError(f"{model.__name__}: no value for {f.column}")
    return f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) SELECT {", ".join(values)} FROM ({source}) AS s'


def incoming_copies_create(*, sender, agencies: list, leads: dict, total: int, big_agency=None,
                           big_count: int = 0, days: int = 730, batch_size: int = 100_000,
                           progress=None, contents: tuple[str, ...] = ()) -> int:
    """``total`` copies of documents ``sender`` issued, in ``agencies``: ``big_count`` of them in
    ``big_agency``, the rest spread evenly over the others. PostgreSQL only: one
    ``INSERT … SELECT generate_series`` per batch, nothing built in Python per row.

    Arrival times are spread over ``days`` back from now, distinct to the microsecond, in no
    order relative to insertion; statuses, urgencies, subjects and types cycle through realistic
    mixes; copies being handled or done have a due date and a lead (``leads``: agency pk → user
    pk); with ``contents`` (e.g. ``INCOMING_CONTENTS``) each copy has one of them as its body,
    "{ma}" replaced by the file code ``HS-%06d`` % ((g × 7919) mod ``CONTENT_CODES``).
    Each copy's search text (``CopyText``) is what ``IncomingDocument.build_search_text`` makes. Columns this
    does not know take their model default (or NULL), so new fields do not break it.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from docflow.core.text import fold
    from docflow.routing.models import IncomingDocument
    from docflow.routing.texts import COPY_TEXT_ID_SQL, CopyText

    others = [a.pk for a in agencies if big_agency is None or a.pk != big_agency.pk]
    big_pk = big_agency.pk if big_agency is not None else others[0]
    subjects = list(INCOMING_SUBJECTS)
    # search_text as the model builds it, per subject, with a marker where the notation goes.
    marker = "@@notation@@"
    search_templates = [
        IncomingDocument(notation=marker, subject=s, sender_name=sender.name, sender_code=sender.code,
                         signer_name=INCOMING_SIGNER[0], signer_position=INCOMING_SIGNER[1]).build_search_text()
        for s in subjects
    ]
    params = {
        "big": big_pk, "big_count": big_count, "others": others, "n": len(others),
        "big_lead": leads[big_pk], "leads": [leads[pk] for pk in others],
        "statuses": list(INCOMING_STATUSES), "nstatus": len(INCOMING_STATUSES),
        "urgencies": list(INCOMING_URGENCIES), "nurg": len(INCOMING_URGENCIES),
        "types": list(INCOMING_DOC_TYPES), "ntypes": len(INCOMING_DOC_TYPES),
        "subjects": subjects, "search": search_templates, "marker": marker, "nsubj": len(subjects),
        "now": timezone.now(), "span_ms": days * 86_400_000,
        "sender": sender.pk, "sender_code": sender.code, "sender_name": sender.name,
        "signer_name": INCOMING_SIGNER[0], "signer_position": INCOMING_SIGNER[1],
    }
    # The body ends search_text (fold works word by word), so it is folded here once per body.
    params.update(contents=list(contents), folded=[fold(c) for c in contents], ncontent=len(contents),
                  ncodes=CONTENT_CODES)
    notation = "(1 + s.g %% 9999)::text || '/UBND-VP'"
    code = "'HS-' || lpad(((s.g::bigint * 7919) %% %(ncodes)s)::text, 6, '0')"

    def content_of(array: str) -> str:
        return f"(%({array})s::text[])[1 + s.g %% %(ncontent)s]"

    search_text = (f"replace((%(search)s::text[])[s.subj], %(marker)s, lower({notation}))"
                   + (f" || ' ' || replace({content_of('folded')}, '{{ma}}', lower({code}))" if contents else ""))
    handled = "s.status_code IN ('04', '05', '06')"
    accepted = "s.status_code NOT IN ('01', '02')"
    expressions = {
        "id": "gen_random_uuid()",
        "agency_id": "s.agency_id",
        "status_code": "s.status_code",
        "sender_agency_id": "%(sender)s",
        "sender_code": "%(sender_code)s",
        "sender_name": "%(sender_name)s",
        "number": "1 + s.g %% 9999",
        "notation": notation,
        "issued_on": "(s.t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
        "doc_type": "(%(types)s::text[])[1 + s.g %% %(ntypes)s]",
        "subject": "(%(subjects)s::text[])[s.subj]",
        "urgency": "(%(urgencies)s::text[])[1 + (s.g / 7) %% %(nurg)s]",
        "signer_name": "%(signer_name)s",
        "signer_position": "%(signer_position)s",
        "delivered_at": "s.t",
        "incoming_year": f"CASE WHEN {accepted} THEN extract(year FROM s.t)::int END",
        "incoming_number": f"CASE WHEN {accepted} THEN s.g END",
        "received_at": f"CASE WHEN {accepted} THEN s.t + interval '1 hour' END",
        "due_date": f"CASE WHEN {handled} THEN (s.t + interval '10 days')::date END",
        "lead_id": f"CASE WHEN {handled} THEN s.lead_id END",
        "completed_at": "CASE WHEN s.status_code = '06' THEN s.t + interval '5 days' END",
        "search_id": COPY_TEXT_ID_SQL.format(text=f"({search_text})"),
        "content": f"replace({content_of('contents')}, '{{ma}}', {code})" if contents else "''",
        "created_at": "s.t",
        "updated_at": "s.t",
    }
    source = """
            SELECT g,
                   CASE WHEN g <= %(big_count)s THEN %(big)s
                        ELSE (%(others)s::bigint[])[1 + g %% %(n)s] END AS agency_id,
                   CASE WHEN g <= %(big_count)s THEN %(big_lead)s
                        ELSE (%(leads)s::bigint[])[1 + g %% %(n)s] END AS lead_id,
                   (%(statuses)s::text[])[(1 + (g::bigint * 7919) %% %(nstatus)s)::int] AS status_code,
                   %(now)s::timestamptz
                     - make_interval(secs => ((g::bigint * 104729) %% %(span_ms)s) / 1000.0) AS t,
                   1 + (g / 3) %% %(nsubj)s AS subj
            FROM generate_series(%(start)s, %(stop)s) AS g
    """
    sql = insert_select(IncomingDocument, expressions, source, params)
    # The texts first (CopyText: once per distinct text), the copies then point to them.
    texts_sql = (
        f'INSERT INTO "{CopyText._meta.db_table}" (id, text) SELECT DISTINCT '
        f"{COPY_TEXT_ID_SQL.format(text='x.t')}, x.t FROM (SELECT {search_text} AS t FROM ({source}) AS s) AS x "
        "ON CONFLICT DO NOTHING"
    )
    made = 0
    for start in range(1, total + 1, batch_size):
        stop = min(start + batch_size - 1, total)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(texts_sql, {**params, "start": start, "stop": stop})
            cursor.execute(sql, {**params, "start": start, "stop": stop})
        made = stop
        if progress:
            progress(made, total)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{IncomingDocument._meta.db_table}"')
        cursor.execute(f'ANALYZE "{CopyText._meta.db_table}"')
    return made
