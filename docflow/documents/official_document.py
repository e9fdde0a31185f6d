"""What is printed on an outgoing document's official PDF, from its row: plain data
(``OfficialDocument``) for the renderer in ``docflow.rendering.official``; both the issued PDF
(``documents.pdf``) and the one the approver signs (``documents.signatures``) start from it.

What is printed follows Decree 30/2020/NĐ-CP, Appendix I: a People's Committee writes its own
name in full on two lines ("ỦY BAN NHÂN DÂN" / "XÃ PHIÊNG BAN") with no line for a governing
body above it; a department (Sở) writes its governing body (abbreviated, "UBND TỈNH SƠN LA")
above its own name. A form addressed by "Kính gửi:" (công văn, tờ trình) names the recipients
there and opens "Nơi nhận" with "Như trên"; the others list them in "Nơi nhận". Either list names
every recipient and groups agencies of one level only when the list would not fit on a page (a
document sent to every commune of a district), largest group first, never a group of one.
A decision names its issuing authority: the collective body when signed "TM.", else its head
("CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN", "GIÁM ĐỐC SỞ NỘI VỤ").
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from docflow.documents.models import OutgoingDocument
from docflow.documents.types import document_type
from docflow.rendering.forms import document_form
from docflow.rendering.official import OfficialDocument
from docflow.tenancy.kinds import document_heading, is_peoples_committee
from docflow.tenancy.models import Agency, AgencyLevel

# Whose name an authority signs in (Decree 30, Article 13): "TM. ỦY BAN NHÂN DÂN",
# "KT. CHỦ TỊCH" for a People's Committee; "KT. GIÁM ĐỐC" for a department (Sở).
AUTHORITY_OF_UBND = {
    "TM.": "Ủy ban nhân dân", "KT.": "Chủ tịch", "Q.": "Chủ tịch", "TL.": "Chủ tịch",
    "TUQ.": "Chủ tịch",
}
AUTHORITY_OF_SO = {"KT.": "Giám đốc", "Q.": "Giám đốc", "TL.": "Giám đốc", "TUQ.": "Giám đốc"}
COLLECTIVE = "TM."  # the collective body decides; every other authority acts for its head
# Past this many "Nơi nhận" lines, agencies are grouped by level and long lists of paper places
# are cut, so the recipients and the signature stay together on one page.
MAX_RECIPIENT_LINES = 20
MAX_PLACES_LISTED = 14
GROUP_LABELS = {
    AgencyLevel.COMMUNE: "UBND các xã, phường, thị trấn",
    AgencyLevel.DISTRICT: "UBND các huyện, thị xã, thành phố",
    AgencyLevel.PROVINCE: "UBND các tỉnh, thành phố",
    AgencyLevel.WARD: "UBND các phường",
    AgencyLevel.SPECIAL_ZONE: "UBND các đặc khu",
    AgencyLevel.DEPARTMENT: "Các sở, ban, ngành",
    AgencyLevel.OTHER: "Các cơ quan, tổ chức khác",
}


def recipient_lines(
    agencies: list[Agency], places: list[str], *, max_lines: int = MAX_RECIPIENT_LINES,
    max_places: int = MAX_PLACES_LISTED,
) -> list[str]:
    """Agencies by name and paper places as given; past ``max_lines`` the largest levels are
    grouped, one at a time until the list fits (a level of one agency keeps its name), and only
    the first ``max_places`` places are named."""
    if len(places) > max_places + 1 and len(agencies) + len(places) > max_lines:
        places = [*places[:max_places], f"Các nơi khác ({len(places) - max_places} nơi)"]
    counts = Counter(a.level for a in agencies)
    grouped: set[str] = set()
    length = len(agencies) + len(places)
    for level, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if length <= max_lines or count < 2:
            break
        grouped.add(level)
        length -= count - 1
    order = [*GROUP_LABELS, *sorted(set(counts) - set(GROUP_LABELS))]
    lines = [
        f"{GROUP_LABELS.get(level, 'Các cơ quan khác')} ({counts[level]} cơ quan)"
        for level in order if level in grouped
    ]
    return lines + [a.name for a in agencies if a.level not in grouped] + list(places)


def _authority_of(agency: Agency, authority: str) -> str:
    if is_peoples_committee(agency):
        return AUTHORITY_OF_UBND.get(authority, "")
    if agency.name.casefold().startswith("sở "):
        return AUTHORITY_OF_SO.get(authority, "")
    return ""


def issuing_authority(agency: Agency, authority: str) -> str:
    """The line naming who decides, printed under a decision's subject (Decree 30, Mẫu 1.2)."""
    head = "" if authority == COLLECTIVE else _authority_of(agency, authority or "KT.")
    return f"{head} {agency.name}".strip().upper()


def official_document_of(document: OutgoingDocument, recipients: list[Agency]) -> OfficialDocument:
    """What is printed on the issued document, from its row (plain data for the renderer)."""
    agency, kind = document.agency, document_type(document.doc_type)
    signer = document.signed_by or document.signer
    authority_of = _authority_of(agency, document.signer_authority)
    # "Q. CHỦ TỊCH" is the whole title of an acting head: no position line under it.
    position = "" if document.signer_authority == "Q." and authority_of else document.signer_position
    heading = document_heading(agency, agency.parent)
    filing = "Lưu: VT" + (f", {document.unit.symbol}" if document.unit else "")
    listed = recipient_lines(recipients, list(document.external_places))
    addressed = document_form(document.doc_type).addressed
    return OfficialDocument(
        agency_name=heading.agency,
        parent_agency_name=heading.superior,
        notation=document.notation,
        place=agency.place,
        issued_on=timezone.localdate(document.issued_at),
        doc_type_code=document.doc_type,
        doc_type_name=kind.name,
        subject=document.subject,
        body=document.body,
        signer_position=position,
        signer_name=signer.get_full_name() if signer else "",
        signer_authority=document.signer_authority,
        signer_authority_of=authority_of,
        recipients=[filing] if addressed else [*listed, filing],
        addressees=listed if addressed else [],
        issuing_authority=issuing_authority(agency, document.signer_authority),
        urgency=document.urgency,
        secrecy=document.secrecy,
    )


def recipients_of(document: OutgoingDocument) -> list[Agency]:
    """The recipient agencies in the draft's order (those still in the directory)."""
    found = {a.code: a for a in Agency.objects.filter(code__in=document.recipient_codes)}
    return [found[c] for c in document.recipient_codes if c in found]
