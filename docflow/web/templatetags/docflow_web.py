"""Small presentational helpers for the templates: labels and badges for codes."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

from docflow.documents.types import TYPES_BY_CODE, Secrecy, Urgency
from docflow.routing.models import Status
from docflow.web.notification_kinds import action_label, object_link
from docflow.web.status_words import status_word

register = template.Library()

STATUS_TONES = {
    Status.DELIVERED: "new",
    Status.REJECTED: "bad",
    Status.ACCEPTED: "info",
    Status.ASSIGNED: "info",
    Status.IN_PROGRESS: "work",
    Status.COMPLETED: "good",
    Status.RECALL_REQUESTED: "warn",
    Status.RECALL_ACCEPTED: "bad",
    Status.RECALL_REFUSED: "info",
}
URGENCY_TONES = {Urgency.URGENT: "warn", Urgency.VERY_URGENT: "bad", Urgency.FLASH: "bad"}


@register.filter
def doc_type_name(code: str) -> str:
    found = TYPES_BY_CODE.get(code)
    return found.name if found else code


@register.filter
def status_label(code: str) -> str:
    return status_word(code)


@register.filter
def status_tone(code: str) -> str:
    try:
        return STATUS_TONES[Status(code)]
    except (ValueError, KeyError):
        return "info"


@register.filter
def urgency_label(code: str) -> str:
    try:
        return _(Urgency(code).label)
    except ValueError:
        return code


@register.filter
def urgency_tone(code: str) -> str:
    return URGENCY_TONES.get(code, "")


@register.filter
def secrecy_label(code: str) -> str:
    try:
        return _(Secrecy(code).label)
    except ValueError:
        return code


@register.filter
def filesize(size: int | None) -> str:
    """Bytes as a short size in Vietnamese notation: 1,2 MB."""
    if size is None:
        return ""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            text = f"{size:.1f}".rstrip("0").rstrip(".") if unit != "B" else str(size)
            return f"{text.replace('.', ',')} {unit}"
        size /= 1024
    return ""


@register.simple_tag
def has_role(roles: set[str], *wanted: str) -> bool:
    return bool(roles and roles.intersection(wanted))


@register.simple_tag
def widget(field, **attrs):
    """A form field's control, tied to its help text and its errors for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs={k.replace("_", "-"): v for k, v in attrs.items()})


@register.filter(name="action_label")
def action_label_filter(action: str) -> str:
    return action_label(action)


@register.filter
def event_link(event) -> str:
    return object_link(event.object_type, event.object_id)


AGENCY_LABEL = re.compile(r"^(?P<code>\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}) (?P<name>.+)$")


@register.filter
def event_actor(event) -> str:
    """Who acted, name first: "Nguyễn Văn A (bacyen_clerk)", "UBND xã Phiêng Ban (000.00.31.H52)"."""
    if event.actor_id:
        user = event.actor
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()
    found = AGENCY_LABEL.match(event.actor_label or "")
    if found:
        return f"{found['name']} ({found['code']})"
    return event.actor_label or _("Hệ thống")
