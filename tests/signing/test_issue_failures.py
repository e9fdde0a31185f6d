"""Signing at issue keeps issue's rules: the same queries for few and many recipients, and a
failed agency signature is a 400 with the reason, nothing numbered, nothing delivered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, RegisterCounter
from docflow.documents.signing.models import SigningCredential
from docflow.routing.issuing import document_issue
from docflow.routing.models import Delivery
from tests.documents.story import (
    approved,
    draft,
    issued,
    pdf_bytes,
    recipients,
    sending_office,
)


def _issue_queries(office, document) -> int:
    with CaptureQueriesContext(connection) as ctx:
        document_issue(actor=office.clerk, document_id=document.pk)
    return len(ctx.captured_queries)


def test_signed_issue_to_3_and_to_40_agencies_costs_the_same_queries(pki):
    from docflow.documents.attachments import attachment_add

    office = sending_office()
    pki.keys_for(office)
    issued(office, recipients=[recipients(1)[0].code])  # the register and its counter exist now
    few, many = (draft(office, recipients=[a.code for a in recipients(n)]) for n in (3, 40))
    for doc in (few, many):
        attachment_add(actor=office.staff, document_id=doc.pk, name="phu-luc.pdf", chunks=[pdf_bytes()])
        approved(office, doc)

    assert _issue_queries(office, few) == _issue_queries(office, many)


def test_a_failed_agency_signature_numbers_nothing_and_delivers_nothing(pki, settings):
    office = sending_office()
    pki.keys_for(office)
    document = approved(office, recipients=[recipients(1)[0].code])
    settings.SECRET_KEY = "another-" + "x" * 60  # the stored .p12 can no longer be opened

    with pytest.raises(ValidationError) as refused:
        document_issue(actor=office.clerk, document_id=document.pk)

    assert "signature" in refused.value.message_dict
    assert "SECRET_KEY" in refused.value.message_dict["signature"][0]
    with cross_agency("system"):
        stored = OutgoingDocument.objects.get(pk=document.pk)
        assert (stored.state, stored.number, stored.pdf_sha256) == ("approved", None, "")
        assert not Delivery.objects.filter(document=document).exists()
        assert not RegisterCounter.objects.filter(register__agency=office.agency, last_number__gt=0).exists()


def test_an_agency_without_its_key_cannot_issue_a_signed_document(pki):
    office = sending_office()
    pki.keys_for(office)
    document = approved(office)
    with cross_agency("system"):
        SigningCredential.objects.filter(agency=office.agency, user=None).delete()

    with pytest.raises(ValidationError) as refused:
        document_issue(actor=office.clerk, document_id=document.pk)

    assert "chứng thư số" in refused.value.message_dict["signature"][0]


def test_a_leader_without_a_key_cannot_approve_once_the_agency_signs(pki):
    office = sending_office()
    pki.keys_for(office)
    with cross_agency("system"):
        SigningCredential.objects.filter(agency=office.agency, user=office.leader.user).delete()

    with pytest.raises(ValidationError) as refused:
        approved(office)

    assert "signature" in refused.value.message_dict
