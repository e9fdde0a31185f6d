"""Seeding the demo: the agencies and people, then four weeks of their work, once.

The work is told only when Bắc Yên has none yet; an audit event ``demo.seeded`` in Bắc Yên's
log records it (the marker a second run finds, so it changes nothing). A database where people
already worked without that marker is left alone: the story is not mixed into it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.test.utils import override_settings

from docflow.audit.models import AuditEvent
from docflow.audit.services import event_record
from docflow.documents.signing.demo import demo_signing_seed
from docflow.demo.clock import StoryClock
from docflow.demo.office import Office
from docflow.demo.papers import EXTERNAL
from docflow.demo.story import Story
from docflow.documents.models import OutgoingDocument
from docflow.exchange.clients import exchange_client_create
from docflow.routing.models import IncomingDocument
from docflow.tenancy.demo import demo_people_seed
from docflow.tenancy.models import Agency
from docflow.core.scoping import agency_scope

BAC_YEN = "000.00.31.H52"
MARKER = "demo.seeded"
MARKER_OBJECT = uuid.uuid5(uuid.NAMESPACE_URL, "https://docflow.local/demo/story")


@dataclass(frozen=True)
class SeedResult:
    agencies: int
    story: str  # "told", "already" (the marker is there) or "skipped" (real work, no marker)
    documents: int = 0
    exchange_key: str = ""  # the external sender's API key, shown once when it was made


def demo_seed(*, password: str) -> SeedResult:
    """Create or update the demo agencies and people, and tell the story if it was never told.

    The marker is written first, in the story's first step: an interrupted seeding is never
    told again over its own half (``make clean`` and seed again)."""
    story = _story_state()
    if story != "tell":
        return SeedResult(agencies=len(demo_people_seed(password=password)), story=story)
    clock = StoryClock()
    with clock.at(-21, "07:00"):  # the accounts existed before the weeks' work
        agencies = demo_people_seed(password=password)
        demo_signing_seed()  # keys first, so that the weeks' approvals and issues are signed
        event_record(
            agency_id=agencies[BAC_YEN].pk, action=MARKER, object_type="demo", object_id=MARKER_OBJECT,
            actor_label="manage.py seed_demo", data={"today": clock.today.isoformat()},
        )
        issued = exchange_client_create(code=EXTERNAL["code"], name=EXTERNAL["name"])
    office = Office(clock=clock)
    # The weeks' emails went out back then: none is printed or sent now.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        Story(office=office, client=issued.client).tell()
    documents = len(office.sources)  # outgoing documents and the external sender's
    return SeedResult(agencies=len(agencies), story="told", documents=documents, exchange_key=issued.key)


def _story_state() -> str:
    bacyen = Agency.objects.filter(code=BAC_YEN).first()
    if bacyen is None:
        return "tell"
    with agency_scope(bacyen):
        if AuditEvent.objects.filter(action=MARKER, object_id=MARKER_OBJECT).exists():
            return "already"
        if OutgoingDocument.objects.exists() or IncomingDocument.objects.exists():
            return "skipped"
    return "tell"
