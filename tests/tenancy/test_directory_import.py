"""The operator onboards a province from the agency directory CSV: checked first, then in bulk."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.documents.models import Register
from docflow.tenancy.directory_import import DirectoryInvalid, directory_check, directory_import
from docflow.tenancy.models import Agency, AgencyLevel, Membership, Unit, User
from docflow.tenancy.passwords import password_reset_user
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,parent_code,symbol,email,clerk_username,clerk_email,admin_username,admin_email\n"
PROVINCE = (
    HEADER
    # The ward's parent comes after it in the file.
    + "000.01.00.H52,Ủy ban nhân dân phường Chiềng Lề,ward,000.00.00.H52,UBND,,chiengle_vt,vt@chiengle.test,,\n"
    + "000.00.00.H52,Ủy ban nhân dân tỉnh Sơn La,province,,UBND,ubnd@sonla.test,,,sonla_qt,qt@sonla.test\n"
    + "000.02.00.H52,Sở Nội vụ,department,000.00.00.H52,SNV,,snv_vt,,,\n"
    + "000.03.00.H52,Ủy ban nhân dân đặc khu Cô Tô,special_zone,000.00.00.H52,,,,,,\n"
)


def _snapshot():
    with cross_agency("system"):
        return (
            sorted(Agency.objects.values_list("code", "name", "level", "parent__code", "symbol", "search_text")),
            Unit.objects.count(), Register.objects.count(), User.objects.count(), Membership.objects.count(),
        )


def _province_csv(n: int) -> str:
    lines = [HEADER, "000.00.00.H52,Ủy ban nhân dân tỉnh Sơn La,province,,UBND,,,,,\n"]
    lines += [
        f"{i % 1000:03d}.{i // 1000 + 1:02d}.00.H52,Ủy ban nhân dân xã Số {i},commune,000.00.00.H52,UBND,,"
        f"vt{i},vt{i}@xa.test,,\n"
        for i in range(n)
    ]
    return "".join(lines)


def test_operator_imports_a_province_with_its_kinds_parents_units_registers_and_first_people():
    result = directory_import(text=PROVINCE)
    assert (result.created, result.updated) == (4, 0)
    ward = Agency.objects.get(code="000.01.00.H52")
    assert ward.level == AgencyLevel.WARD and ward.parent.code == "000.00.00.H52"
    assert Agency.objects.get(code="000.03.00.H52").symbol == "UBND"  # a People's Committee's default
    assert Agency.objects.get(code="000.00.00.H52").email == "ubnd@sonla.test"
    with cross_agency("system"):
        assert set(Unit.objects.filter(agency=ward).values_list("symbol", flat=True)) == {"VP"}
        assert Register.objects.filter(agency=ward).count() == 4
        clerk = Membership.objects.select_related("user", "unit").get(user__username="chiengle_vt")
    assert clerk.agency == ward and clerk.is_clerk and clerk.unit.symbol == "VP"
    assert not clerk.user.has_usable_password()
    links = {login.username: login.url for login in result.logins}
    assert set(links) == {"chiengle_vt", "sonla_qt", "snv_vt"}
    uidb64, token = links["chiengle_vt"].rstrip("/").split("/")[-2:]
    assert password_reset_user(uidb64=uidb64, token=token) == clerk.user  # the one-time link works
    with cross_agency("system"):
        assert AuditEvent.objects.filter(action="agency.imported", agency_id=ward.pk).count() == 1


def test_the_importing_operator_is_the_actor_of_every_agencys_event_a_command_without_one_nobody():
    operator = User.objects.create_superuser("operator", "op@sonla.test", "x-unused-9", full_name="Operator")
    directory_import(text=PROVINCE, actor=operator)
    directory_import(text=PROVINCE.replace("Sở Nội vụ", "Sở Nội vụ tỉnh"))
    with cross_agency("system"):
        actors = dict(AuditEvent.objects.filter(action="agency.imported").values_list("agency_id", "actor_id"))
        updated = list(AuditEvent.objects.filter(action="agency.updated").values_list("actor_id", flat=True))
    assert len(actors) == 4 and set(actors.values()) == {operator.pk}
    assert updated == [None]


def test_the_same_file_twice_changes_nothing_and_reports_zero():
    directory_import(text=PROVINCE)
    before = _snapshot()
    again = directory_import(text=PROVINCE)
    assert (again.created, again.updated, again.logins) == (0, 0, [])
    assert _snapshot() == before
    plan = directory_check(text=PROVINCE)
    assert (plan.created, plan.updated) == ([], [])


def test_a_changed_file_updates_names_and_parents():
    directory_import(text=PROVINCE)
    changed = PROVINCE.replace("Sở Nội vụ,department,000.00.00.H52", "Sở Nội vụ tỉnh Sơn La,department,000.03.00.H52")
    result = directory_import(text=changed)
    assert (result.created, result.updated) == (0, 1)
    department = Agency.objects.get(code="000.02.00.H52")
    assert department.name == "Sở Nội vụ tỉnh Sơn La" and department.parent.code == "000.03.00.H52"
    assert "so noi vu tinh son la" in department.search_text


def test_a_file_with_errors_writes_nothing_and_names_every_line_and_column():
    AgencyFactory(code="000.09.00.H52")
    bad = (
        HEADER
        + "000.00.00.H52,Ủy ban nhân dân tỉnh Sơn La,province,,UBND,,,,,\n"
        + "000.1.00.H52,Xã sai mã,commune,000.00.00.H52,UBND,,,,,\n"  # line 3: code
        + "000.02.00.H52,,county,000.77.00.H52,UBND,not-an-email,,,,\n"  # line 4: name, kind, parent, email
        + "000.00.00.H52,Trùng mã,commune,,UBND,,,,,\n"  # line 5: duplicate
        + "000.04.00.H52,Sở A,department,,,,,,,\n"  # line 6: a department needs its symbol
    )
    before = _snapshot()
    with pytest.raises(DirectoryInvalid) as caught:
        directory_import(text=bad)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert found == {(3, "code"), (4, "name"), (4, "kind"), (4, "parent_code"), (4, "email"),
                     (5, "code"), (6, "symbol")}
    assert _snapshot() == before


def test_a_cycle_of_parents_is_refused_through_the_file_and_the_directory():
    directory_import(text=PROVINCE)
    # The province would sit under its own ward.
    cyclic = PROVINCE.replace("Ủy ban nhân dân tỉnh Sơn La,province,,", "Ủy ban nhân dân tỉnh Sơn La,province,000.01.00.H52,")
    errors = directory_check(text=cyclic).errors
    assert {(e.line, e.column) for e in errors} >= {(2, "parent_code"), (3, "parent_code")}


def test_a_username_of_someone_else_is_refused():
    User.objects.create_user("chiengle_vt", password="x")
    errors = directory_check(text=PROVINCE).errors
    assert [(e.line, e.column) for e in errors] == [(2, "clerk_username")]


def test_a_missing_column_is_named_on_the_header_line():
    errors = directory_check(text="code,name,kind,symbol\n").errors
    assert [(e.line, e.column) for e in errors] == [(1, "parent_code")]


@pytest.mark.parametrize("batches", [1, 3])
def test_the_import_costs_a_fixed_number_of_queries_per_batch(batches, django_assert_num_queries):
    size = 20
    text = _province_csv(batches * size)  # the province is a batch of its own (superiors first)
    with django_assert_num_queries(_queries_for(batches, size), connection=connection):
        result = directory_import(text=text, batch_size=size)
    assert result.created == 1 + batches * size


def _queries_for(batches: int, size: int) -> int:
    codes, people = 1 + batches * size, batches * size
    # Two savepoints and their releases; checking: the agencies the file names, the old codes
    # among the new ones and the users, a read per batch each; writing, the province's batch: read, insert agency, units,
    # registers, audit events; each communes' batch adds its users, reads them and the offices,
    # and inserts the memberships.
    # Each batch's audit events move the new agencies' chain heads: lock them, create those
    # missing, lock the new ones, move them on (four more per batch).
    return 4 + 2 * -(-codes // size) + -(-people // size) + 5 + batches * 9 + 4 * (1 + batches)


def test_command_exits_non_zero_on_errors_and_reports_zero_the_second_time(tmp_path, capsys):
    path = tmp_path / "sonla.csv"
    path.write_text(PROVINCE.replace("ward,", "phuong,", 1), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_agencies", str(path))
    assert "dòng 2, cột kind" in capsys.readouterr().err
    assert not Agency.objects.exists()
    path.write_text(PROVINCE, encoding="utf-8")
    call_command("import_agencies", str(path))
    assert "4 created 0 updated" in capsys.readouterr().out
    call_command("import_agencies", str(path))
    assert "0 created 0 updated" in capsys.readouterr().out
