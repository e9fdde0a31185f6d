"""An agency's kind decides the heading of its documents; parents link at any depth."""

from __future__ import annotations

import pytest

from docflow.tenancy.kinds import document_heading, is_peoples_committee
from docflow.tenancy.models import AgencyLevel
from docflow.tenancy.selectors import agencies_for_codes, agency_ancestors
from docflow.web.recipients import recipient_groups
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("kind", "name", "lines"), [
    (AgencyLevel.WARD, "Ủy ban nhân dân phường Chiềng Lề", "ỦY BAN NHÂN DÂN\nPHƯỜNG CHIỀNG LỀ"),
    (AgencyLevel.SPECIAL_ZONE, "UBND đặc khu Cô Tô", "ỦY BAN NHÂN DÂN\nĐẶC KHU CÔ TÔ"),
    (AgencyLevel.COMMUNE, "Ủy ban nhân dân xã Tà Xùa", "ỦY BAN NHÂN DÂN\nXÃ TÀ XÙA"),
    (AgencyLevel.PROVINCE, "Tỉnh Sơn La", "ỦY BAN NHÂN DÂN\nTỈNH SƠN LA"),
])
def test_a_peoples_committee_of_any_tier_prints_its_ubnd_heading_without_a_line_above(kind, name, lines):
    parent = AgencyFactory(name="Ủy ban nhân dân tỉnh Sơn La", short_name="UBND TỈNH SƠN LA", level=AgencyLevel.PROVINCE)
    agency = AgencyFactory(name=name, level=kind, parent=parent)
    assert is_peoples_committee(agency)
    heading = document_heading(agency, parent)
    assert (heading.superior, heading.agency) == ("", lines)


@pytest.mark.parametrize("kind", [AgencyLevel.DEPARTMENT, AgencyLevel.OTHER])
def test_a_department_or_other_body_prints_its_own_name_under_its_governing_body(kind):
    parent = AgencyFactory(name="Ủy ban nhân dân tỉnh Sơn La", short_name="UBND TỈNH SƠN LA", level=AgencyLevel.PROVINCE)
    # Its name starting like a People's Committee's does not make it one: the kind decides.
    agency = AgencyFactory(name="Ban Quản lý các khu công nghiệp", level=kind, parent=parent)
    heading = document_heading(agency, parent)
    assert not is_peoples_committee(agency)
    assert (heading.superior, heading.agency) == ("UBND TỈNH SƠN LA", "BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP")


def test_superiors_are_found_at_any_depth_and_offered_as_recipients():
    chain = [AgencyFactory(level=AgencyLevel.PROVINCE, name="Ủy ban nhân dân tỉnh Sơn La")]
    for level in (AgencyLevel.DEPARTMENT, AgencyLevel.OTHER, AgencyLevel.OTHER, AgencyLevel.OTHER):
        chain.append(AgencyFactory(level=level, parent=chain[-1], name=f"Đơn vị cấp {len(chain)}"))
    assert agency_ancestors(agency=chain[-1]) == chain[-2::-1]
    superiors = next(g for g in recipient_groups(agency=chain[-1]) if not g.key)
    assert superiors.agencies == chain[-2::-1]  # four levels up, not three


def test_an_unknown_code_is_left_out_and_a_known_one_answers_itself():
    agency = AgencyFactory()
    assert agencies_for_codes(codes=[agency.code, "999.99.99.Z99"]) == {agency.code: agency}
