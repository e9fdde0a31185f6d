"""The email of a notification: Vietnamese plain text and HTML from one template per kind.

``templates/notifications/email/<kind>.txt`` and ``.html`` extend ``base.txt`` / ``base.html``
and say in one sentence what happened; a kind without its own templates gets the base ones.
Links are absolute (``DOCFLOW_SITE_URL``) and open the web page of the document.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string, select_template
from django.urls import NoReverseMatch, reverse

from docflow.notifications.models import Notification

TEMPLATE_DIR = "notifications/email"


def notification_email_message(*, notification: Notification, address: str) -> EmailMultiAlternatives:
    """The message to send for ``notification`` (its recipient and agency loaded)."""
    context = {
        "recipient_name": notification.recipient.get_full_name(),
        "agency_name": notification.agency.name,
        "title": notification.title,
        "body": notification.body,
        "url": _absolute(notification.link),
        "preferences_url": _absolute(_preferences_path()),
    }
    text = render_to_string(_template(notification.kind, "txt"), context)
    html = render_to_string(_template(notification.kind, "html"), context)
    message = EmailMultiAlternatives(
        subject=f"[Docflow] {notification.title}"[:250].replace("\n", " "),
        body=text.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    message.attach_alternative(html, "text/html")
    return message


def _template(kind: str, extension: str) -> str:
    names = [f"{TEMPLATE_DIR}/{kind}.{extension}", f"{TEMPLATE_DIR}/base.{extension}"]
    return select_template(names).template.name


def _absolute(path: str) -> str:
    return f"{settings.DOCFLOW_SITE_URL}{path}" if path else ""


def _preferences_path() -> str:
    try:
        return reverse("web:notification-preferences")
    except NoReverseMatch:  # a deployment without the web pages
        return ""
