"""The clerk's issue page says what the issue will do and refuses one that reaches nobody."""

from __future__ import annotations

import pytest

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument
from docflow.documents.services import document_approve, document_create, document_submit
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db


def approved_for(office, **fields):
    values = {"doc_type": "cong_van", "subject": "Về việc họp", "unit": "VP", "signer": office.leader.user.username}
    values.update(fields)
    document = document_create(actor=office.staff, **values)
    document_submit(actor=office.staff, document_id=document.pk)
    return document_approve(actor=office.leader, document_id=document.pk)


def state_of(document) -> str:
    with cross_agency("system"):
        return OutgoingDocument.objects.get(pk=document.pk).state


def test_the_page_names_how_many_agencies_and_paper_places_it_reaches(office):
    document = approved_for(office, recipients=[a.code for a in office.communes], external_places=["Thôn Bản Pe"])
    page = web_client(office.clerk).get(f"/van-ban-di/{document.pk}/phat-hanh/")
    text = page.content.decode()
    assert page.status_code == 200 and "2 cơ quan trong hệ thống" in text and "Thôn Bản Pe" in text


def test_a_document_reaching_nobody_offers_no_issue_and_a_post_is_refused(office):
    document = approved_for(office, recipients=[], external_places=[])
    client = web_client(office.clerk)
    url = f"/van-ban-di/{document.pk}/phat-hanh/"
    page = client.get(url)
    assert "chưa có nơi nhận" in page.content.decode() and "Cấp số và phát hành" not in page.content.decode()
    key = page.context["form"]["once"].value()
    refused = client.post(url, {"once": key})
    assert refused.status_code == 400 and "recipients" not in refused.context["form"].fields
    assert state_of(document) == "approved"


def test_a_paper_only_issue_needs_the_clerks_confirmation(office):
    document = approved_for(office, recipients=[], external_places=["Thôn Bản Pe"])
    client = web_client(office.clerk)
    url = f"/van-ban-di/{document.pk}/phat-hanh/"
    key = client.get(url).context["form"]["once"].value()
    unconfirmed = client.post(url, {"once": key})
    assert unconfirmed.status_code == 400 and unconfirmed.context["form"].errors["paper_only"]
    assert state_of(document) == "approved"
    confirmed = client.post(url, {"once": key, "paper_only": "on"})
    assert confirmed.status_code == 302 and state_of(document) == "issued"
