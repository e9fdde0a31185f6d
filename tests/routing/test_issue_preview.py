"""What the clerk is shown before issuing is what issuing does: the same register and number,
and whom the document reaches (in the system, outside it, on paper)."""

from __future__ import annotations

import pytest

from docflow.core.scoping import cross_agency
from docflow.documents.models import Register
from docflow.routing.issuing import document_issue, issue_preview
from docflow.core.scoping import agency_scope
from tests.documents.story import approved, issued, recipients, sending_office
from tests.factories import AgencyFactory, RegisterFactory

pytestmark = pytest.mark.django_db


def preview_of(office, document):
    with agency_scope(office.agency.pk):
        return issue_preview(document=document)


def test_the_preview_shows_the_number_that_issuing_then_takes():
    office = sending_office()
    issued(office, recipients=[AgencyFactory().code])
    document = approved(office, recipients=[AgencyFactory().code])
    shown = preview_of(office, document)
    taken = document_issue(actor=office.clerk, document_id=document.pk)
    assert (shown.number, shown.notation, shown.year) == (taken.number, taken.notation, taken.year)
    assert shown.register_name == taken.register.name


def test_an_inactive_type_register_is_passed_over_by_the_preview_as_by_issuing():
    office = sending_office()
    own = RegisterFactory(agency=office.agency, series="quyet_dinh", name="Sổ quyết định", is_active=False)
    document = approved(office, recipients=[AgencyFactory().code])
    shown = preview_of(office, document)
    taken = document_issue(actor=office.clerk, document_id=document.pk)
    assert taken.register_id != own.pk
    assert (shown.number, shown.register_name) == (taken.number, taken.register.name)


def test_an_active_type_register_is_used_by_both():
    office = sending_office()
    own = RegisterFactory(agency=office.agency, series="quyet_dinh", name="Sổ quyết định")
    issued(office, recipients=[AgencyFactory().code])  # the general series moves on, not this one
    with cross_agency("system"):
        Register.objects.filter(pk=own.pk).update(is_active=True)
    document = approved(office, recipients=[AgencyFactory().code])
    shown = preview_of(office, document)
    taken = document_issue(actor=office.clerk, document_id=document.pk)
    assert taken.register_id == own.pk and shown.register_name == "Sổ quyết định"
    assert shown.number == taken.number


def test_the_preview_counts_agencies_inside_and_outside_and_paper_places():
    office = sending_office()
    inside = recipients(2)
    outside = AgencyFactory(is_external=True)
    document = approved(office, recipients=[*(a.code for a in inside), outside.code],
                        external_places=["Sở Nội vụ (bản giấy)"])
    shown = preview_of(office, document)
    assert (shown.agencies, shown.external_agencies, shown.paper_places) == (2, 1, ("Sở Nội vụ (bản giấy)",))
    assert not shown.reaches_nobody and not shown.paper_only


def test_a_paper_only_document_is_shown_as_such():
    office = sending_office()
    document = approved(office, recipients=[], external_places=["Thôn Bản Pe"])
    shown = preview_of(office, document)
    assert shown.paper_only and not shown.reaches_nobody
    assert preview_of(office, approved(office, recipients=[], external_places=[])).reaches_nobody


def test_an_inactive_general_register_still_numbers_on_and_the_preview_says_so():
    office = sending_office()
    first = issued(office, recipients=[AgencyFactory().code])
    with cross_agency("system"):
        Register.objects.filter(pk=first.register_id).update(is_active=False)
    document = approved(office, recipients=[AgencyFactory().code])
    shown = preview_of(office, document)
    taken = document_issue(actor=office.clerk, document_id=document.pk)
    assert taken.register_id == first.register_id and taken.number == 2
    assert (shown.number, shown.register_name) == (2, taken.register.name)
