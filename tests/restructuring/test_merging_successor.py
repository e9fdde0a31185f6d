"""A merger into an agency that does not exist yet, the predecessors' unread notifications and
their subordinate agencies."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

import docflow.restructuring.merging as merging
from docflow.core.scoping import cross_agency
from docflow.audit.models import AuditEvent
from docflow.documents.models import Register
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_create
from docflow.restructuring.merging import agencies_merge, merger_plan
from docflow.routing.issue_notifications import KIND_DELIVERED
from docflow.routing.models import IncomingDocument
from docflow.tenancy.models import Agency, AgencyAlias, AgencyLevel, Membership, Unit
from tests.factories import AgencyFactory, MembershipFactory
from tests.restructuring.test_merging import ON, merge, merger, tenant_digest  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
NEW = "000.40.31.H52"


def new_successor(m, **changes) -> dict:
    return {"name": "Ủy ban nhân dân xã Tà Xùa mới", "kind": "commune",
            "parent_code": m["district"].code, "symbol": "", **changes}


def merge_into_new(m, **kwargs):
    codes = [m[k]["agency"].code for k in ("a", "b", "c")]
    return agencies_merge(successor_code=NEW, predecessor_codes=codes, on=ON,
                          new_successor=kwargs.pop("new_successor", new_successor(m)), **kwargs)


def nothing_written(m, before: dict) -> None:
    with cross_agency("system"):
        assert not Agency.objects.filter(code=NEW).exists()
        assert not AgencyAlias.objects.filter(agency__code=NEW).exists()
        assert not Unit.objects.filter(agency__code=NEW).exists()
        assert not Register.objects.filter(agency__code=NEW).exists()
    assert {k: tenant_digest(m[k]["agency"]) for k in before} == before


def test_three_communes_merge_into_a_new_commune_created_in_the_same_step(merger):
    m = merger
    before = {k: tenant_digest(m[k]["agency"]) for k in ("a", "b", "c")}
    codes = [m[k]["agency"].code for k in ("a", "b", "c")]
    plan = merger_plan(successor_code=NEW, predecessor_codes=codes, on=ON, new_successor=new_successor(m))
    nothing_written(m, before)  # the dry run
    assert plan.created and plan.successor.pk is None and plan.units_created == sorted(
        f"KT{m[k]['agency'].pk}" for k in ("a", "b", "c"))
    assert set(plan.copies) >= {m["a"]["open"].pk, m["b"]["open"].pk, m["c"]["open"].pk}

    done = merge_into_new(m)

    assert done.counts() == plan.counts() and done.created
    successor = Agency.objects.get(code=NEW)
    assert (successor.name, successor.level, successor.symbol, successor.parent_id, successor.is_active) == (
        "Ủy ban nhân dân xã Tà Xùa mới", AgencyLevel.COMMUNE, "UBND", m["district"].pk, True)
    with cross_agency("system"):
        # Its kind's office unit and four registers, then the predecessors' units by symbol.
        assert set(Unit.objects.filter(agency=successor).values_list("symbol", flat=True)) == {
            "VP", *plan.units_created}
        assert Register.objects.filter(agency=successor, is_active=True).count() == 4
        assert set(IncomingDocument.objects.filter(agency=successor).values_list("id", flat=True)) == set(plan.copies)
        clerk = Membership.objects.select_related("unit").get(pk=m["b"]["clerk"].pk)
        assert (clerk.agency_id, clerk.unit.agency_id, clerk.unit.symbol) == (successor.pk, successor.pk, "VP")
        actions = set(AuditEvent.objects.filter(agency_id=successor.pk).values_list("action", flat=True))
        aliases = set(AgencyAlias.objects.filter(agency=successor).values_list("code", flat=True))
    assert actions == {"agency.imported", "agency.merged"}
    assert aliases == set(codes)
    assert set(Agency.objects.filter(merged_into=successor).values_list("code", flat=True)) == set(codes)


@pytest.mark.parametrize("changes, field", [
    ({"kind": "xa"}, "kind"),
    ({"name": ""}, "name"),
    ({"parent_code": "999.99.99.Z99"}, "parent_code"),
    ({"symbol": "ủy ban"}, "symbol"),
])
def test_a_new_successor_is_checked_as_a_directory_line_and_nothing_is_written(merger, changes, field):
    m = merger
    before = {k: tenant_digest(m[k]["agency"]) for k in ("a", "b", "c")}
    with pytest.raises(ValidationError) as caught:
        merge_into_new(m, new_successor=new_successor(m, **changes))
    assert field in caught.value.message_dict
    nothing_written(m, before)


def test_a_new_successor_code_taken_by_an_agency_or_an_old_code_is_refused(merger):
    m = merger
    with pytest.raises(ValidationError) as caught:
        agencies_merge(successor_code=m["x"]["agency"].code, predecessor_codes=[m["b"]["agency"].code], on=ON,
                       new_successor=new_successor(m))
    assert "code" in caught.value.message_dict
    merge(m)  # B's and C's codes become old codes of A
    with pytest.raises(ValidationError) as caught:
        agencies_merge(successor_code=m["b"]["agency"].code, predecessor_codes=[m["x"]["agency"].code], on=ON,
                       new_successor=new_successor(m))
    assert "code" in caught.value.message_dict


def test_a_merger_that_fails_after_creating_its_successor_leaves_nothing(merger, monkeypatch):
    m = merger
    before = {k: tenant_digest(m[k]["agency"]) for k in ("a", "b", "c")}
    with pytest.raises(ValidationError):  # an unknown predecessor: checked before anything is created
        agencies_merge(successor_code=NEW, predecessor_codes=[m["b"]["agency"].code, "999.99.99.Z99"], on=ON,
                       new_successor=new_successor(m))
    nothing_written(m, before)

    def broken(plan, pred_ids):
        assert Agency.objects.filter(code=NEW).exists()  # created, in the merger's transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(merging, "_notifications_hand", broken)
    with pytest.raises(RuntimeError):
        merge_into_new(m)
    nothing_written(m, before)
    with cross_agency("system"):
        assert not AuditEvent.objects.filter(action__in=["agency.imported", "agency.merged"]).exists()


def test_command_merges_into_a_new_agency_and_names_the_option_at_fault(merger, capsys):
    m = merger
    codes = [m["b"]["agency"].code, m["c"]["agency"].code]
    args = ["merge_agencies", "--into", NEW, *codes, "--date", "2026-07-01", "--new-name", "Ủy ban nhân dân xã Mới",
            "--new-parent", m["district"].code]
    with pytest.raises(CommandError, match="--new-kind"):
        call_command(*args, "--new-kind", "xa")
    call_command(*args, "--new-kind", "commune", "--dry-run")
    assert "(cơ quan mới)" in capsys.readouterr().out
    assert not Agency.objects.filter(code=NEW).exists()
    call_command(*args, "--new-kind", "commune")
    assert Agency.objects.get(code=NEW).predecessors.count() == 2


def _unread(agency, user, kind: str, object_id, tag: str) -> Notification:
    return notification_create(agency_id=agency.pk, recipient_id=user.pk, kind=kind, title=f"Thông báo {tag}",
                               dedup_key=f"test:{tag}", object_type="incoming", object_id=object_id, email=False)


def test_people_who_carry_on_take_their_unread_notifications_along(merger):
    m, b = merger, merger["b"]
    mine = _unread(b["agency"], b["staff"].user, "incoming_assigned", b["open"].pk, "assigned")
    both = _unread(m["c"]["agency"], m["both"].user, "incoming_to_assign", m["c"]["open"].pk, "both")
    read = _unread(b["agency"], b["clerk"].user, KIND_DELIVERED, b["done"].pk, "read")
    with cross_agency("system"):
        Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    plan = merger_plan(successor_code=m["a"]["agency"].code,
                       predecessor_codes=[b["agency"].code, m["c"]["agency"].code], on=ON)
    assert set(plan.notifications_moved) == {mine.pk, both.pk} and plan.notifications_to_clerks == []
    merge(m)
    with cross_agency("system"):
        rows = {n.pk: n for n in Notification.objects.filter(pk__in=[mine.pk, both.pk, read.pk])}
    assert (rows[mine.pk].agency_id, rows[mine.pk].recipient_id) == (m["a"]["agency"].pk, b["staff"].user_id)
    assert (rows[both.pk].agency_id, rows[both.pk].recipient_id) == (m["a"]["agency"].pk, m["both"].user_id)
    assert rows[read.pk].agency_id == b["agency"].pk  # read: history, stays


def test_agency_wide_notifications_of_people_who_leave_go_to_the_successors_clerks(merger):
    m, b = merger, merger["b"]
    a_clerk = m["a"]["clerk"].user
    second_clerk = MembershipFactory(agency=b["agency"], clerk=True)
    arrived = [_unread(b["agency"], who, KIND_DELIVERED, b["open"].pk, f"arrived-{n}")
               for n, who in enumerate((b["clerk"].user, second_clerk.user))]
    personal = _unread(b["agency"], b["staff"].user, "incoming_assigned", b["open"].pk, "personal")
    agencies_merge(successor_code=m["a"]["agency"].code, predecessor_codes=[b["agency"].code], on=ON,
                   memberships="end")
    with cross_agency("system"):
        handed = list(Notification.objects.filter(agency=m["a"]["agency"], kind=KIND_DELIVERED))
        assert Notification.objects.get(pk=personal.pk).agency_id == b["agency"].pk
        assert set(Notification.objects.filter(pk__in=[n.pk for n in arrived]).values_list("agency_id", flat=True)) == {
            b["agency"].pk}
    # One for the successor's clerk, though two of B's clerks had it; unread, about the moved copy.
    assert [(n.recipient_id, n.object_id, n.read_at, n.done_at) for n in handed] == [
        (a_clerk.pk, b["open"].pk, None, None)]


def test_the_predecessors_subordinates_are_re_parented_to_the_successor(merger):
    m = merger
    hamlet = AgencyFactory(code="000.41.31.H52", name="Ban quản lý bản Háng Đồng", level=AgencyLevel.OTHER,
                           parent=m["b"]["agency"])
    plan = merger_plan(successor_code=m["a"]["agency"].code,
                       predecessor_codes=[m["b"]["agency"].code, m["c"]["agency"].code], on=ON)
    assert plan.children == [hamlet.code]
    merge(m)
    hamlet.refresh_from_db()
    assert hamlet.parent_id == m["a"]["agency"].pk
    with cross_agency("system"):
        event = AuditEvent.objects.get(agency_id=hamlet.pk, action="agency.reparented")
    assert (event.state_before, event.state_after) == (m["b"]["agency"].code, m["a"]["agency"].code)


def test_a_successor_below_a_predecessor_takes_that_predecessors_superior(merger):
    m = merger
    district = m["district"]
    Agency.objects.filter(pk=m["b"]["agency"].pk).update(parent=district)
    Agency.objects.filter(pk=m["a"]["agency"].pk).update(parent=m["b"]["agency"])
    merge(m)
    successor = Agency.objects.get(pk=m["a"]["agency"].pk)
    assert successor.parent_id == district.pk


@pytest.fixture
def predecessors_letter(merger):
    """A document commune B issued to the district before the merger, with a file."""
    from docflow.documents.files import stored_file_put_bytes
    from tests.factories import AttachmentFactory
    from tests.routing.factories import sent_copy

    copy = sent_copy(sender=merger["b"]["agency"], recipient=merger["district"],
                     subject="Báo cáo tình hình sạt lở xã Háng Đồng")
    stored = stored_file_put_bytes(data=b"%PDF-1.4 bao cao", content_type="application/pdf")
    attachment = AttachmentFactory(document_id=copy.source_document_id, agency=merger["b"]["agency"],
                                   file=stored, size=stored.size, content_type="application/pdf",
                                   uploaded_by=merger["b"]["staff"].user)
    merge(merger)
    return copy.source_document_id, attachment.pk


def test_the_successor_opens_a_predecessors_issued_document_and_nobody_else_does(
        merger, predecessors_letter, client_for):
    from tests.web.conftest import web_client as web_client_for

    m = merger
    document_id, attachment_id = predecessors_letter
    reader = MembershipFactory(agency=m["a"]["agency"], clerk=True, leader=True)
    stranger = MembershipFactory(agency=m["x"]["agency"], clerk=True, leader=True)
    api, web = client_for(reader), web_client_for(reader)
    answer = api.get(f"/api/v1/outgoing/{document_id}/")
    assert answer.status_code == 200 and answer.json()["subject"] == "Báo cáo tình hình sạt lở xã Háng Đồng"
    assert [d["agency_code"] for d in api.get(f"/api/v1/outgoing/{document_id}/deliveries/").json()["results"]] == [
        m["district"].code]
    assert api.get(f"/api/v1/outgoing/{document_id}/attachments/{attachment_id}/").status_code == 200
    page = web.get(f"/van-ban-di/{document_id}/")
    assert page.status_code == 200 and "Báo cáo tình hình sạt lở" in page.content.decode()
    assert page.context["actions"] == set() and len(page.context["deliveries"]) == 1  # read only
    assert web.get(f"/van-ban-di/{document_id}/tep/{attachment_id}/").status_code == 200
    # Acting on it stays the predecessor's: the successor's recall finds nothing.
    recall = api.post(f"/api/v1/outgoing/{document_id}/recall/", {"reason": "Nhầm"}, format="json",
                      HTTP_IDEMPOTENCY_KEY="recall-1")
    assert recall.status_code == 404
    for client, url in ((client_for(stranger), f"/api/v1/outgoing/{document_id}/"),
                        (client_for(stranger), f"/api/v1/outgoing/{document_id}/attachments/{attachment_id}/"),
                        (web_client_for(stranger), f"/van-ban-di/{document_id}/"),
                        (web_client_for(stranger), f"/van-ban-di/{document_id}/tep/{attachment_id}/")):
        assert client.get(url).status_code == 404, url


def test_reading_an_own_document_costs_no_query_for_the_predecessors(
        merger, predecessors_letter, django_assert_num_queries):
    from docflow.core.errors import NotFound
    from docflow.core.scoping import agency_scope
    from docflow.documents.selectors import document_get, document_read

    m = merger
    own = m["a"]["draft"].pk
    with agency_scope(m["a"]["agency"].pk):
        with django_assert_num_queries(2):  # the document with its joins, its attachments
            assert document_read(document_id=own).pk == own
        assert document_read(document_id=predecessors_letter[0]).agency_id == m["b"]["agency"].pk
        with pytest.raises(NotFound):  # what services look documents up with: the agency's own
            document_get(document_id=predecessors_letter[0])
        with pytest.raises(NotFound):
            document_read(document_id=m["x"]["draft"].pk)
