"""Reading the axis log: always the active agency's rows (the tenant scope is required)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from docflow.core.errors import NotFound
from docflow.exchange.axis.models import AxisMessage, State

ATTENTION = (State.PENDING, State.FAILED)


def axis_messages(*, state: str = "") -> QuerySet[AxisMessage]:
    """The active agency's exchanges with the axis, newest first; ``state`` narrows them, and
    ``"attention"`` keeps those waiting or refused."""
    messages = AxisMessage.objects.select_related("counterpart").order_by("-created_at", "-id")
    if state == "attention":
        return messages.filter(state__in=ATTENTION)
    if state in State.values:
        return messages.filter(state=state)
    return messages


def axis_message_get(*, message_id: UUID | str) -> AxisMessage:
    """One exchange of the active agency; NotFound for another agency's (or no such) id."""
    message = AxisMessage.objects.select_related("counterpart").filter(id=message_id).first()
    if message is None:
        raise NotFound("Không tìm thấy trao đổi qua trục liên thông.")
    return message
