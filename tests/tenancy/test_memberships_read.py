"""A user's memberships, read in one statement written once (``docflow.core.db.joined``), are
what the ORM's query of the same rows gives, field by field, and a web page reads them once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docflow.core.scoping import cross_agency
from docflow.tenancy.models import Agency, Membership, User
from docflow.tenancy.selectors import memberships_of_user
from tests.web.conftest import web_client
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _orm(user) -> list[Membership]:
    with cross_agency("directory"):
        return list(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
            .select_related("agency", "agency__parent", "unit")
            .annotate(agency_has_below=Exists(Agency.objects.filter(parent_id=OuterRef("agency_id"),
                                                                   is_external=False)))
            .order_by("created_at", "id"))


def _fields(m: Membership) -> tuple:
    return (m.pk, m.uuid, m.user_id, m.position, m.roles, m.created_at, m.agency_has_below,
            m.agency.pk, m.agency.code, m.agency.name, m.agency.level, m.agency.is_active,
            m.agency.merged_on, m.agency.parent and (m.agency.parent.pk, m.agency.parent.code),
            m.unit and (m.unit.pk, m.unit.name, m.unit.symbol))


def test_the_read_is_the_orms_query_field_by_field_with_its_edge_cases(agency_a, agency_b):
    first = MembershipFactory(agency=agency_a, clerk=True)
    user = first.user
    below = AgencyFactory(parent=agency_b)
    AgencyFactory(parent=agency_a, is_external=True)  # an outside system below A: not an agency below
    MembershipFactory(agency=agency_b, user=user, unit=UnitFactory(agency=agency_b), leader=True)
    MembershipFactory(agency=below, user=user, unit=None)  # its agency has a parent, no unit
    MembershipFactory(agency=AgencyFactory(is_active=False), user=user)  # agency closed
    MembershipFactory(agency=AgencyFactory(), user=user, is_active=False)  # membership ended

    fresh = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        read = memberships_of_user(user=fresh)
    assert len(queries) == 1
    expected = _orm(user)
    assert len(expected) == 3
    assert [_fields(m) for m in read] == [_fields(m) for m in expected]
    assert [m.agency_has_below for m in read] == [False, True, False]
    assert all(m.user is fresh for m in read)
    assert read[2].agency.parent.code == agency_b.code and read[2].unit is None


def test_a_person_in_no_agency_has_none():
    user = User.objects.create_user(username="no-agency", password="x" * 12)
    assert memberships_of_user(user=user) == [] == _orm(user)


def test_a_web_page_reads_its_users_memberships_once(agency_a):
    client = web_client(MembershipFactory(agency=agency_a, clerk=True))
    client.get(reverse("web:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("web:dashboard")).status_code == 200
    assert sum('"tenancy_membership" m' in q["sql"] for q in queries) == 1
