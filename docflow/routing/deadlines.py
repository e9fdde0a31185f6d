"""Deadlines of incoming handling: the agency's default due days per urgency, and the default
due date a leader's assignment takes when it names none."""

from __future__ import annotations

from datetime import date, timedelta

from docflow.audit.services import event_record
from docflow.core.errors import NotPermitted
from docflow.routing.models import AgencyHandlingSettings
from docflow.tenancy.models import Membership, Role
from docflow.core.services import service


@service(scope="membership")
def handling_settings_update(*, membership: Membership, **days: int) -> AgencyHandlingSettings:
    """The agency admin sets the default due days per urgency and the due-soon window."""
    if not membership.has_role(Role.AGENCY_ADMIN):
        raise NotPermitted("Chỉ quản trị đơn vị được thay đổi cấu hình.")
    settings, _ = AgencyHandlingSettings.objects.select_for_update().get_or_create(
        agency_id=membership.agency_id
    )
    before = {name: getattr(settings, name) for name in days}
    for name, value in days.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    event_record(
        agency_id=membership.agency_id, action="incoming.settings_update",
        object_type="agency_handling_settings", object_id=membership.agency.uuid,
        data={"before": before, "after": days},
    )
    return settings


def handling_due_date_default(
    *, settings: AgencyHandlingSettings, urgency: str, sender_due_date: date | None, today: date
) -> date:
    """Today plus the agency's days for the urgency, or the sender's due date when earlier."""
    due = today + timedelta(days=settings.days_for(urgency))
    if sender_due_date is not None and today <= sender_due_date < due:
        return sender_due_date
    return due
