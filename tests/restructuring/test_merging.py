"""Three communes merge into one: open work, drafts, files, registers and people end where the
dry run said; old codes still reach the successor; its members search the predecessors' history;
no other agency's rows change."""

from __future__ import annotations

import datetime
import hashlib
import uuid

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from docflow.audit.models import AuditEvent
from docflow.core.scoping import agency_scope
from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, OutgoingState, Register
from docflow.records.models import FileState, WorkFile
from docflow.restructuring.merging import agencies_merge, merger_plan
from docflow.routing.models import Delivery, IncomingDocument, Status
from docflow.routing.search import documents_search
from docflow.tenancy.models import Agency, AgencyAlias, AgencyLevel, Membership, Unit
from tests.documents.story import issued, sending_office
from tests.exchange.conftest import envelope, external, external_server  # noqa: F401 (fixtures)
from tests.factories import AgencyFactory, MembershipFactory, OutgoingDocumentFactory, RegisterFactory, UnitFactory
from tests.records.factories import WorkFileFactory
from tests.routing.factories import IncomingDocumentFactory, sent_copy

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 7, 1)


def tenant_digest(agency: Agency) -> str:
    """sha256 over the ordered rows of every tenant table for one agency, and its own row."""
    digest = hashlib.sha256()
    with cross_agency("system"):
        digest.update(repr(list(Agency.objects.filter(pk=agency.pk).values_list())).encode())
        for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
            fields = {f.name: f for f in model._meta.concrete_fields}
            field = fields.get("agency")
            if field is None or not field.is_relation or field.related_model is not Agency:
                continue
            rows = model._base_manager.filter(agency_id=agency.pk).order_by("pk").values_list()
            digest.update(model._meta.label.encode() + repr(list(rows)).encode())
    return digest.hexdigest()


def commune_with_work(name: str, district: Agency, *, code: str) -> dict:
    agency = AgencyFactory(code=code, name=f"Ủy ban nhân dân xã {name}", level=AgencyLevel.COMMUNE)
    unit = UnitFactory(agency=agency, symbol="VP", name="Văn phòng")
    own = UnitFactory(agency=agency, symbol=f"KT{agency.pk}", name="Ban Kinh tế")
    people = {
        "clerk": MembershipFactory(agency=agency, unit=unit, clerk=True),
        "leader": MembershipFactory(agency=agency, leader=True),
        "staff": MembershipFactory(agency=agency, unit=own, staff=True),
    }
    open_copy = sent_copy(sender=district, recipient=agency, subject=f"Về việc phòng chống lũ xã {name}",
                          attachments=1)
    done = sent_copy(sender=district, recipient=agency, subject=f"Về việc thu hoạch mận xã {name}")
    with cross_agency("system"):
        IncomingDocument.objects.filter(pk=done.pk).update(status_code=Status.COMPLETED)
    draft = OutgoingDocumentFactory(agency=agency, unit=own, drafter=people["staff"].user)
    pending = OutgoingDocumentFactory(agency=agency, unit=unit, drafter=people["staff"].user,
                                      state=OutgoingState.PENDING_APPROVAL,
                                      approval_chain=[{"label": "Lãnh đạo ký", "role": "leader", "positions": []}])
    register = RegisterFactory(agency=agency, direction="incoming", series="general", name="Sổ văn bản đến")
    work_file = WorkFileFactory(agency=agency, code="01.VP", opened_by=people["clerk"].user)
    closed_file = WorkFileFactory(agency=agency, code="02.VP", opened_by=people["clerk"].user,
                                  state=FileState.CLOSED)
    return {"agency": agency, "open": open_copy, "done": done, "draft": draft, "pending": pending,
            "register": register, "file": work_file, "closed_file": closed_file, **people}


@pytest.fixture
def merger(db):
    district = AgencyFactory(code="000.00.31.H52", name="Ủy ban nhân dân huyện Bắc Yên", level=AgencyLevel.DISTRICT)
    successor = commune_with_work("Tà Xùa", district, code="000.05.31.H52")
    b = commune_with_work("Háng Đồng", district, code="000.16.31.H52")
    c = commune_with_work("Xím Vàng", district, code="000.07.31.H52")
    bystander = commune_with_work("Song Pe", district, code="000.03.31.H52")
    # One document the district sent to both B and C: the successor can hold one copy of it.
    shared = uuid.uuid4()
    first = IncomingDocumentFactory(agency=b["agency"], source_document_id=shared, subject="Về việc họp giao ban")
    second = IncomingDocumentFactory(agency=c["agency"], source_document_id=shared, subject="Về việc họp giao ban")
    # A person already in the successor who also worked for C.
    both = MembershipFactory(agency=c["agency"], user=successor["leader"].user, leader=True)
    return {"district": district, "a": successor, "b": b, "c": c, "x": bystander,
            "shared": (first, second), "both": both}


def merge(m, **kwargs):
    return agencies_merge(successor_code=m["a"]["agency"].code,
                          predecessor_codes=[m["b"]["agency"].code, m["c"]["agency"].code], on=ON, **kwargs)


def test_three_communes_merge_and_everything_ends_where_the_dry_run_said(merger):
    m, b, c = merger, merger["b"], merger["c"]
    digests = {k: tenant_digest(m[k]["agency"]) for k in ("a", "b", "c", "x")}
    district = tenant_digest(m["district"])
    plan = merger_plan(successor_code=m["a"]["agency"].code,
                       predecessor_codes=[b["agency"].code, c["agency"].code], on=ON)
    assert {k: tenant_digest(m[k]["agency"]) for k in ("a", "b", "c", "x")} == digests  # the dry run wrote nothing
    first, second = m["shared"]
    assert set(plan.copies) == {b["open"].pk, c["open"].pk, first.pk}
    assert plan.copies_kept == [second.pk]
    assert set(plan.drafts) == {b["draft"].pk, b["pending"].pk, c["draft"].pk, c["pending"].pk}
    assert set(plan.work_files) == {b["file"].pk, c["file"].pk}
    assert set(plan.registers) == {b["register"].pk, c["register"].pk}
    assert m["both"].uuid in plan.members_ended and len(plan.members_moved) == 6

    done = merge(m)

    successor = m["a"]["agency"]
    assert done.counts() == plan.counts()
    with cross_agency("system"):
        assert set(IncomingDocument.objects.filter(agency=successor).values_list("id", flat=True)) == {
            m["a"]["open"].pk, m["a"]["done"].pk, *plan.copies}
        # The finished work stays with its agency, as history.
        assert IncomingDocument.objects.get(pk=b["done"].pk).agency_id == b["agency"].pk
        assert IncomingDocument.objects.get(pk=second.pk).agency_id == c["agency"].pk
        assert b["open"].attachments.get().agency_id == successor.pk
        assert set(OutgoingDocument.objects.filter(agency=successor).values_list("id", flat=True)) >= set(plan.drafts)
        moved_draft = OutgoingDocument.objects.select_related("unit").get(pk=b["draft"].pk)
        assert moved_draft.unit.agency_id == successor.pk and moved_draft.unit.name == "Ban Kinh tế"
        files = {f.pk: f for f in WorkFile.objects.filter(agency=successor)}
        assert set(plan.work_files) <= set(files) and files[b["file"].pk].code != "01.VP"  # A has 01.VP
        assert WorkFile.objects.get(pk=b["closed_file"].pk).agency_id == b["agency"].pk
        assert not Register.objects.filter(pk__in=plan.registers, is_active=True).exists()
        assert Register.objects.filter(pk__in=plan.registers).count() == 2  # closed, still readable
        clerk = Membership.objects.select_related("unit").get(pk=b["clerk"].pk)
        assert clerk.agency_id == successor.pk and clerk.unit.agency_id == successor.pk and clerk.unit.symbol == "VP"
        assert not Membership.objects.get(pk=m["both"].pk).is_active
        assert Unit.objects.filter(agency=successor).count() == 2 + 2  # VP, its own, B's and C's KT units
        event = AuditEvent.objects.get(action="agency.merged", agency_id=successor.pk)
    assert event.data["predecessors"] == [b["agency"].code, c["agency"].code] and event.data["copies"] == 3
    for old in (b["agency"], c["agency"]):
        old.refresh_from_db()
        assert (old.merged_into_id, old.merged_on, old.is_active) == (successor.pk, ON, False)
    with cross_agency("system"):
        aliases = set(AgencyAlias.objects.filter(agency=successor).values_list("code", flat=True))
    assert aliases == {b["agency"].code, c["agency"].code}
    assert tenant_digest(m["x"]["agency"]) == digests["x"]  # nothing of the bystander touched
    assert tenant_digest(m["district"]) == district  # nor the sender's deliveries


def test_district_document_to_an_old_code_reaches_the_successor_and_the_district_sees_the_new_code(merger):
    m = merger
    merge(m)
    office = sending_office(m["district"])
    document = issued(office, recipients=[m["b"]["agency"].code])
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(source_document_id=document.pk)
        delivery = Delivery.objects.get(document=document)
    assert copy.agency_id == m["a"]["agency"].pk
    assert delivery.recipient_code == m["a"]["agency"].code
    assert m["b"]["agency"].code in delivery.status_note and m["a"]["agency"].code in delivery.status_note


def test_two_old_codes_of_one_successor_make_one_copy(merger):
    m = merger
    merge(m)
    office = sending_office(m["district"])
    document = issued(office, recipients=[m["b"]["agency"].code, m["c"]["agency"].code])
    with cross_agency("system"):
        assert IncomingDocument.objects.filter(source_document_id=document.pk).count() == 1


def test_exchange_document_to_an_old_code_reaches_the_successor_and_the_receipt_names_the_new_code(merger, external):
    m = merger
    merge(m)
    old, new = m["c"]["agency"].code, m["a"]["agency"].code
    answer = external.api.post("/api/v1/exchange/documents/", envelope(external.agency.code, [old]),
                               format="json", HTTP_IDEMPOTENCY_KEY="merge-1")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["renamed"] == [{"code": old, "now": new}]
    assert [r["agency_code"] for r in body["recipients"]] == [new]
    with cross_agency("system"):
        assert IncomingDocument.objects.get(pk=body["recipients"][0]["incoming_id"]).agency_id == m["a"]["agency"].pk


def test_successor_searches_the_predecessors_history_and_the_bystander_does_not(merger):
    m = merger
    merge(m)
    with agency_scope(m["a"]["agency"]):
        found = {h.id for h in documents_search(q="thu hoach man xa hang dong")}
    assert m["b"]["done"].pk in found
    with agency_scope(m["x"]["agency"]):
        assert m["b"]["done"].pk not in {h.id for h in documents_search(q="thu hoach man")}
    with agency_scope(m["a"]["agency"]):  # writes stay the successor's: reads of one row too
        assert not IncomingDocument.objects.filter(pk=m["b"]["done"].pk).exists()


def test_a_merger_refuses_unknown_external_or_already_merged_agencies_and_writes_nothing(merger):
    m = merger
    before = tenant_digest(m["b"]["agency"])
    with pytest.raises(ValidationError) as caught:
        agencies_merge(successor_code=m["a"]["agency"].code, predecessor_codes=[m["b"]["agency"].code, "999.99.99.Z99"], on=ON)
    assert "agencies" in caught.value.message_dict
    with pytest.raises(ValidationError):
        agencies_merge(successor_code=m["a"]["agency"].code, predecessor_codes=[m["a"]["agency"].code], on=ON)
    assert tenant_digest(m["b"]["agency"]) == before
    merge(m)
    with pytest.raises(ValidationError):
        merge(m)


def test_command_dry_run_prints_what_moves_then_the_merger_ends_memberships(merger, capsys):
    m = merger
    codes = [m["b"]["agency"].code, m["c"]["agency"].code]
    before = tenant_digest(m["b"]["agency"])
    call_command("merge_agencies", "--into", m["a"]["agency"].code, *codes, "--dry-run", "--date", "2026-07-01")
    out = capsys.readouterr().out
    assert "copies: 3" in out and str(m["b"]["open"].pk) in out and "drafts: 4" in out
    assert tenant_digest(m["b"]["agency"]) == before
    call_command("merge_agencies", "--into", m["a"]["agency"].code, *codes, "--memberships", "end",
                 "--date", "2026-07-01")
    with cross_agency("system"):
        assert not Membership.objects.filter(agency__in=[m["b"]["agency"], m["c"]["agency"]], is_active=True).exists()
        assert Membership.objects.get(pk=m["b"]["clerk"].pk).agency_id == m["b"]["agency"].pk
    with pytest.raises(CommandError):
        call_command("merge_agencies", "--into", m["a"]["agency"].code, *codes, "--date", "01/07/2026")


def test_successor_reads_a_predecessors_closed_copy_but_cannot_act_on_it(merger, client_for):
    from docflow.core.errors import NotFound
    from docflow.routing.handling import incoming_reject

    m = merger
    merge(m)
    kept = m["b"]["done"].pk
    reader = MembershipFactory(agency=m["a"]["agency"], staff=True)
    assert client_for(reader).get(f"/api/v1/incoming/{kept}/").status_code == 200
    stranger = MembershipFactory(agency=m["x"]["agency"], staff=True)
    assert client_for(stranger).get(f"/api/v1/incoming/{kept}/").status_code == 404
    second = m["shared"][1].pk  # kept open at C: readable, never handled by the successor
    with pytest.raises(NotFound):
        incoming_reject(membership=m["a"]["clerk"], incoming_id=second, reason="Sai địa chỉ")
