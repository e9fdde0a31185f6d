"""Who may do what, in which state, with which input: 403, 409 and 400 naming the field."""

from __future__ import annotations

import pytest

from docflow.documents.approval import approval_chain_set
from tests.documents.story import approved, draft, issued, sending_office
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/outgoing/"


@pytest.fixture
def office():
    return sending_office()


def post(client_for, member, path, data=None):
    return client_for(member).post(path, data or {}, format="json")


# --- 403: roles that may not act -----------------------------------------------------------------

def test_admin_without_drafting_role_cannot_create(client_for, office):
    admin = MembershipFactory(agency=office.agency, admin=True)
    response = post(client_for, admin, URL, {"doc_type": "thong_bao", "subject": "Thông báo"})
    assert response.status_code == 403


def test_only_the_drafter_submits_and_edits(client_for, office):
    doc = draft(office)
    for other in (office.staff2, office.clerk, office.leader):
        assert post(client_for, other, f"{URL}{doc.pk}/submit/").status_code == 403
        edit = client_for(other).patch(f"{URL}{doc.pk}/", {"subject": "Sửa"}, format="json")
        assert edit.status_code == 403


def test_staff_and_clerk_cannot_approve_or_return(client_for, office):
    doc = draft(office)
    post(client_for, office.staff, f"{URL}{doc.pk}/submit/")
    for member in (office.staff, office.staff2, office.clerk):
        assert post(client_for, member, f"{URL}{doc.pk}/approve/").status_code == 403
        assert post(client_for, member, f"{URL}{doc.pk}/return/", {"comment": "x"}).status_code == 403


def test_leader_other_than_the_named_signer_cannot_sign(client_for, office):
    other_leader = MembershipFactory(agency=office.agency, leader=True, position="Phó Chủ tịch")
    doc = draft(office, signer=office.leader.user.username)
    post(client_for, office.staff, f"{URL}{doc.pk}/submit/")
    assert post(client_for, other_leader, f"{URL}{doc.pk}/approve/").status_code == 403
    assert post(client_for, office.leader, f"{URL}{doc.pk}/approve/").status_code == 200


def test_only_a_clerk_issues_and_only_clerk_or_leader_recalls(client_for, office):
    doc = approved(office)
    for member in (office.staff, office.leader):
        assert post(client_for, member, f"{URL}{doc.pk}/issue/").status_code == 403
    assert post(client_for, office.clerk, f"{URL}{doc.pk}/issue/").status_code == 200
    assert post(client_for, office.staff, f"{URL}{doc.pk}/recall/", {"reason": "Sai sót"}).status_code == 403


def test_only_drafter_or_clerk_attaches(client_for, office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.story import pdf_bytes

    doc = draft(office)
    upload = SimpleUploadedFile("a.pdf", pdf_bytes())
    response = client_for(office.staff2).post(f"{URL}{doc.pk}/attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 403


# --- 409: actions the state does not allow ------------------------------------------------------

def test_wrong_states_answer_409_with_the_state(client_for, office):
    doc = draft(office)
    for path, member in (("approve/", office.leader), ("return/", office.leader), ("issue/", office.clerk),
                         ("recall/", office.clerk)):
        response = post(client_for, member, f"{URL}{doc.pk}/{path}", {"comment": "x", "reason": "x"})
        assert response.status_code == 409, path
        assert response.json()["state"] == "draft"
    post(client_for, office.staff, f"{URL}{doc.pk}/submit/")
    assert post(client_for, office.staff, f"{URL}{doc.pk}/submit/").json()["state"] == "pending_approval"
    assert client_for(office.staff).patch(f"{URL}{doc.pk}/", {"subject": "Sửa"}, format="json").status_code == 409
    assert post(client_for, office.clerk, f"{URL}{doc.pk}/issue/").status_code == 409


def test_issued_document_is_immutable(client_for, office):
    doc = issued(office)
    staff = client_for(office.staff)
    assert staff.patch(f"{URL}{doc.pk}/", {"subject": "Sửa"}, format="json").status_code == 409
    for path, member in (("submit/", office.staff), ("approve/", office.leader), ("issue/", office.clerk)):
        response = post(client_for, member, f"{URL}{doc.pk}/{path}")
        assert response.status_code == 409 and response.json()["state"] == "issued", path


def test_recall_is_asked_once(client_for, office):
    doc = issued(office, recipients=[AgencyFactory().code])
    assert post(client_for, office.clerk, f"{URL}{doc.pk}/recall/", {"reason": "Sai số liệu"}).status_code == 200
    again = post(client_for, office.leader, f"{URL}{doc.pk}/recall/", {"reason": "Lần nữa"})
    assert again.status_code == 409 and again.json()["state"] == "recall_requested"


def test_pdf_of_a_draft_is_409(client_for, office):
    doc = draft(office)
    assert client_for(office.staff).get(f"{URL}{doc.pk}/pdf/").status_code == 409


# --- 400: bad fields, named ---------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("doc_type", "sac_lenh"),
    ("subject", ""),
    ("subject", "x" * 501),
    ("urgency", "rat_khan"),
    ("secrecy", "mat_vua"),
    ("unit", "KHONGCO"),
    ("signer_authority", "KT"),
    ("due_date", "31/02/2026"),
    ("recipients", "000.00.31.H52"),
    ("external_places", ["x" * 256]),
    ("replaces", "khong-phai-uuid"),
])
def test_bad_field_on_create_is_named(client_for, office, field, value):
    body = {"doc_type": "thong_bao", "subject": "Thông báo lịch họp", field: value}
    response = post(client_for, office.staff, URL, body)
    assert response.status_code == 400 and field in response.json(), response.json()


def test_unknown_recipient_codes_are_listed(client_for, office):
    known = AgencyFactory()
    response = post(client_for, office.staff, URL, {
        "doc_type": "thong_bao", "subject": "Thông báo",
        "recipients": [known.code, "999.99.99.Z99", "998.99.99.Z99"],
    })
    assert response.status_code == 400
    message = response.json()["recipients"][0]
    assert "999.99.99.Z99" in message and "998.99.99.Z99" in message and known.code not in message


def test_signer_must_be_a_leader_of_the_agency(client_for, office):
    outsider = MembershipFactory(leader=True)  # a leader, of another agency
    for username in (office.staff.user.username, outsider.user.username):
        response = post(client_for, office.staff, URL, {"doc_type": "thong_bao", "subject": "TB", "signer": username})
        assert response.status_code == 400 and "signer" in response.json()


def test_cong_van_without_unit_takes_the_drafters_own_unit(client_for, office):
    response = post(client_for, office.staff, URL, {"doc_type": "cong_van", "subject": "V/v báo cáo"})
    assert response.status_code == 201 and response.json()["unit"] == office.unit.symbol


def test_cong_van_needs_a_drafting_unit_when_the_drafter_has_none(client_for, office):
    response = post(client_for, office.leader, URL, {"doc_type": "cong_van", "subject": "V/v báo cáo"})
    assert response.status_code == 400 and "unit" in response.json()


def test_secret_document_cannot_have_electronic_recipients(client_for, office):
    response = post(client_for, office.staff, URL, {
        "doc_type": "thong_bao", "subject": "TB", "secrecy": "secret", "recipients": [AgencyFactory().code],
    })
    assert response.status_code == 400 and "recipients" in response.json()


def test_return_needs_a_comment_and_recall_a_reason(client_for, office):
    doc = draft(office)
    post(client_for, office.staff, f"{URL}{doc.pk}/submit/")
    response = post(client_for, office.leader, f"{URL}{doc.pk}/return/", {"comment": "  "})
    assert response.status_code == 400 and "comment" in response.json()
    done = issued(office)
    response = post(client_for, office.clerk, f"{URL}{done.pk}/recall/", {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()


def test_replaces_must_be_an_issued_document_not_yet_replaced(client_for, office):
    body = {"doc_type": "quyet_dinh", "subject": "Đính chính"}
    not_issued = draft(office)
    response = post(client_for, office.staff, URL, {**body, "replaces": str(not_issued.pk)})
    assert response.status_code == 400 and "replaces" in response.json()
    original = issued(office)
    first = post(client_for, office.staff, URL, {**body, "replaces": str(original.pk)})
    assert first.status_code == 201 and first.json()["replaces_notation"] == original.notation
    detail = client_for(office.staff).get(f"{URL}{original.pk}/").json()
    assert detail["replaced_by"] == first.json()["id"]
    second = post(client_for, office.staff, URL, {**body, "replaces": str(original.pk)})
    assert second.status_code == 400 and "replaces" in second.json()


# --- the approval chain per agency -------------------------------------------------------------

def test_unit_head_reviews_then_leader_signs(client_for, office):
    admin = MembershipFactory(agency=office.agency, admin=True)
    approval_chain_set(actor=admin, steps=[
        {"label": "Chánh Văn phòng thẩm định", "role": "unit_head", "positions": ["Chánh Văn phòng"]},
        {"label": "Chủ tịch ký", "role": "leader"},
    ])
    head = MembershipFactory(agency=office.agency, unit=office.unit, position="Chánh Văn phòng")
    doc = draft(office)
    submitted = post(client_for, office.staff, f"{URL}{doc.pk}/submit/").json()
    assert [s["label"] for s in submitted["approval_chain"]] == ["Chánh Văn phòng thẩm định", "Chủ tịch ký"]
    assert post(client_for, office.leader, f"{URL}{doc.pk}/approve/").status_code == 403  # not the unit's
    step = post(client_for, head, f"{URL}{doc.pk}/approve/").json()
    assert (step["state"], step["current_step"]) == ("pending_approval", 1)
    assert post(client_for, head, f"{URL}{doc.pk}/approve/").status_code == 403
    signed = post(client_for, office.leader, f"{URL}{doc.pk}/approve/").json()
    assert signed["state"] == "approved" and signed["signed_by"] == office.leader.user.username


def test_chain_must_end_with_a_leader_and_only_admin_sets_it(office):
    from django.core.exceptions import ValidationError

    from docflow.core.errors import NotPermitted

    admin = MembershipFactory(agency=office.agency, admin=True)
    with pytest.raises(ValidationError) as bad:
        approval_chain_set(actor=admin, steps=[{"label": "Trưởng phòng", "role": "unit_head"}])
    assert "steps" in bad.value.message_dict
    with pytest.raises(NotPermitted):
        approval_chain_set(actor=office.leader, steps=[{"label": "Ký", "role": "leader"}])


def test_list_and_detail_answer_every_field_as_drf_writes_it(client_for, office):
    """The documents are written directly (``OutgoingSerializer.to_representation``): each
    field as DRF's declared fields write it, for a replaced, attached and recalled document."""
    from rest_framework import serializers

    from docflow.api.outgoing_serializers import OutgoingSerializer
    from docflow.core.scoping import agency_scope
    from docflow.documents.selectors import document_detail_queryset
    from tests.factories import AttachmentFactory

    original = issued(office)
    AttachmentFactory(document=original, agency=office.agency)
    AttachmentFactory(document=original, agency=office.agency)
    body = {"doc_type": "quyet_dinh", "subject": "Đính chính", "external_places": ["Lưu: VT"]}
    created = post(client_for, office.staff, URL, {**body, "replaces": str(original.pk)})
    assert created.status_code == 201
    recalled = post(client_for, office.clerk, f"{URL}{original.pk}/recall/", {"reason": "Sai"})
    assert recalled.status_code == 200
    answers = {created.json()["id"]: created.json(), str(original.pk): recalled.json()}  # after a write
    draft(office, signer=office.leader.user.username)
    listed = client_for(office.staff).get(URL).json()["results"]
    assert len(listed) >= 3
    with agency_scope(office.agency):
        for row in listed:
            document = document_detail_queryset().get(pk=row["id"])
            by_drf = serializers.ModelSerializer.to_representation(OutgoingSerializer(document), document)
            assert row == by_drf and list(row) == list(by_drf)
            assert client_for(office.staff).get(f"{URL}{row['id']}/").json() == by_drf
            if row["id"] in answers:
                assert answers.pop(row["id"]) == by_drf
    assert not answers
