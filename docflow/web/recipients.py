"""The recipients picker: groups from the agency directory ("all communes of the district").

A group is sent as ``@children:<code>`` and expanded here into the member agencies' codes
before the draft service sees the list, so the service gets plain agency codes as from the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from docflow.tenancy.models import Agency, AgencyLevel
from docflow.tenancy.selectors import agency_directory, agency_superiors

GROUP_PREFIX = "@children:"
SEARCH_LIMIT = 30


@dataclass
class Group:
    key: str  # what ticking the whole group sends; "" for a group that is not sent as one
    label: str
    agencies: list[Agency] = field(default_factory=list)


def _children_label(parent: Agency) -> str:
    if parent.level == AgencyLevel.PROVINCE:
        return _("Tất cả huyện, sở thuộc %(name)s") % {"name": parent.name}
    if parent.level not in (AgencyLevel.DISTRICT, AgencyLevel.COMMUNE, AgencyLevel.WARD):
        return _("Tất cả đơn vị thuộc %(name)s") % {"name": parent.name}
    return _("Tất cả xã, thị trấn thuộc %(name)s") % {"name": parent.name}


def recipient_groups(*, agency: Agency) -> list[Group]:
    """The agencies around ours: our superiors, our children, our siblings (two queries)."""
    related = [agency.pk] + ([agency.parent_id] if agency.parent_id else [])
    rows = list(
        agency_directory().filter(parent_id__in=related).exclude(pk=agency.pk).filter(is_external=False)
    )
    groups = []
    superiors = agency_superiors(agency=agency)
    if superiors:
        groups.append(Group("", _("Cấp trên"), superiors))
    children = [a for a in rows if a.parent_id == agency.pk]
    if children:
        groups.append(Group(f"{GROUP_PREFIX}{agency.code}", _children_label(agency), children))
    if agency.parent_id:
        siblings = [a for a in rows if a.parent_id == agency.parent_id]
        if siblings:
            groups.append(Group(f"{GROUP_PREFIX}{agency.parent.code}", _children_label(agency.parent), siblings))
    return groups


def directory_search(*, agency: Agency, q: str) -> list[Agency]:
    if not q.strip():
        return []
    return list(agency_directory(search=q).exclude(pk=agency.pk)[:SEARCH_LIMIT])


def expand_recipients(values: list[str], *, agency: Agency) -> list[str]:
    """Agency codes from ticked agencies and groups, in order, without repeats and without our
    own agency, which a group of our siblings contains (one query)."""
    parents = [v[len(GROUP_PREFIX):] for v in values if v.startswith(GROUP_PREFIX)]
    codes = [v for v in values if not v.startswith(GROUP_PREFIX)]
    if parents:
        codes += list(
            agency_directory().filter(parent__code__in=parents, is_external=False)
            .exclude(pk=agency.pk).values_list("code", flat=True)
        )
    return list(dict.fromkeys(c.strip() for c in codes if c.strip()))
