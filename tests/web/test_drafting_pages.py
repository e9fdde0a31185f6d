"""Drafting on the web as a drafter meets it: the own unit preselected, the chosen file kept
after an error, the leader's return comment in sight while editing, a draft deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docflow.core.scoping import cross_agency
from docflow.documents.models import Attachment, OutgoingDocument
from docflow.documents.services import document_create, document_return, document_submit
from tests.documents.story import pdf_bytes
from tests.factories import MembershipFactory
from tests.web.conftest import web_client
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def upload(name="phu-luc.pdf", data=None):
    return SimpleUploadedFile(name, data if data is not None else pdf_bytes("Phu luc 1"), content_type="application/pdf")


def test_the_compose_form_preselects_the_drafters_own_unit(office):
    form = web_client(office.staff).get(reverse("web:outgoing-compose")).context["form"]
    assert form["unit"].value() == "VP"


def test_a_file_chosen_on_a_form_sent_back_with_errors_is_kept_and_attached_on_the_next_try(office):
    client = web_client(office.staff)
    url = reverse("web:outgoing-compose")
    key = client.get(url).context["form"]["once"].value()
    refused = client.post(url, {"once": key, "doc_type": "cong_van", "subject": "", "urgency": "normal",
                                "secrecy": "normal", "unit": "VP", "files": upload()})
    assert refused.status_code == 400
    [kept] = refused.context["kept_files"]
    assert kept.name == "phu-luc.pdf" and "phu-luc.pdf" in refused.content.decode()
    saved = client.post(url, {"once": key, "doc_type": "cong_van", "subject": "Về việc họp", "urgency": "normal",
                              "secrecy": "normal", "unit": "VP", "kept_files": kept.token,
                              "recipients": [office.communes[0].code]})
    assert saved.status_code == 302
    with cross_agency("system"):
        document = OutgoingDocument.objects.get(subject="Về việc họp")
        assert list(Attachment.objects.filter(document=document).values_list("name", flat=True)) == ["phu-luc.pdf"]


def test_a_kept_file_token_is_worth_nothing_to_another_person(office):
    client = web_client(office.staff)
    url = reverse("web:outgoing-compose")
    key = client.get(url).context["form"]["once"].value()
    refused = client.post(url, {"once": key, "doc_type": "cong_van", "subject": "", "urgency": "normal",
                                "secrecy": "normal", "unit": "VP", "files": upload()})
    token = refused.context["kept_files"][0].token
    other = MembershipFactory(agency=office.communes[0], staff=True)
    other_client = web_client(other)
    other_key = other_client.get(url).context["form"]["once"].value()
    other_client.post(url, {"once": other_key, "doc_type": "bao_cao", "subject": "Báo cáo", "urgency": "normal",
                            "secrecy": "normal", "kept_files": token, "recipients": [office.district.code]})
    with cross_agency("system"):
        assert not Attachment.objects.filter(agency=office.communes[0]).exists()


def test_a_refused_file_is_named_and_not_kept(office):
    client = web_client(office.staff)
    url = reverse("web:outgoing-compose")
    key = client.get(url).context["form"]["once"].value()
    refused = client.post(url, {"once": key, "doc_type": "cong_van", "subject": "", "urgency": "normal",
                                "secrecy": "normal", "unit": "VP",
                                "files": upload("chay.exe", b"MZ\x90\x00 not a document")})
    assert refused.context["kept_files"] == []
    assert "chay.exe" in refused.content.decode()


def test_the_edit_page_shows_the_leaders_return_comment(office):
    document = document_create(actor=office.staff, doc_type="cong_van", subject="Về việc họp", unit="VP",
                               signer=office.leader.user.username, recipients=[office.communes[0].code])
    document_submit(actor=office.staff, document_id=document.pk)
    document_return(actor=office.leader, document_id=document.pk, comment="Bổ sung thành phần dự họp.")
    page = web_client(office.staff).get(reverse("web:outgoing-edit", args=[document.pk]))
    assert page.status_code == 200 and "Bổ sung thành phần dự họp." in page.content.decode()


def test_the_drafter_deletes_a_draft_and_nobody_else_can(office):
    document = document_create(actor=office.staff, doc_type="cong_van", subject="Về việc họp", unit="VP",
                               recipients=[office.communes[0].code])
    url = reverse("web:outgoing-delete", args=[document.pk])
    detail = reverse("web:outgoing-detail", args=[document.pk])
    leader = web_client(office.leader)
    assert "delete" not in leader.get(detail).context["actions"]
    stranger = web_client(MembershipFactory(agency=office.communes[0], staff=True))
    assert stranger.post(url, {"delete-once": "x" * 32}).status_code == 404
    client = web_client(office.staff)
    page = client.get(detail)
    assert "delete" in page.context["actions"]
    key = page.context["forms"]["delete"]["once"].value()
    response = client.post(url, {"delete-once": key})
    assert response.status_code == 302 and response["Location"] == reverse("web:outgoing-list")
    with cross_agency("system"):
        assert not OutgoingDocument.objects.filter(pk=document.pk).exists()
