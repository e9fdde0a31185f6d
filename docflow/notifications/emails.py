"""The email of a notification, and the daily digest: Vietnamese plain text and HTML.

``templates/notifications/email/<kind>.txt`` and ``.html`` extend ``base.txt`` / ``base.html``
and say in one sentence what happened; a kind without its own templates gets the base ones.
Links are absolute (``DOCFLOW_SITE_URL``) and open the notification's page, which marks it read
and goes on to what it is about (the web layer knows where that is).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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
        "url": notification_url(notification),
        "preferences_url": _absolute("web:notification-preferences"),
    }
    return _message(
        subject=notification.title, address=address, context=context,
        text=_template(notification.kind, "txt"), html=_template(notification.kind, "html"),
    )


def digest_email_message(
    *, notifications: Sequence[Notification], day: date, address: str
) -> EmailMultiAlternatives:
    """One message listing a person's undone notifications of ``day`` (recipient and agency of
    the first loaded; all are the same person's in one agency)."""
    first = notifications[0]
    context = {
        "recipient_name": first.recipient.get_full_name(),
        "agency_name": first.agency.name,
        "day": day,
        "items": [
            # A body that only repeats the title (a document's subject) is left out.
            {"title": n.title, "body": "" if n.body in n.title else n.body, "url": notification_url(n)}
            for n in notifications
        ],
        "list_url": _absolute("web:notifications"),
        "preferences_url": _absolute("web:notification-preferences"),
    }
    subject = f"Tổng hợp {len(notifications)} thông báo ngày {day:%d/%m/%Y}"
    return _message(subject=subject, address=address, context=context,
                    text=f"{TEMPLATE_DIR}/digest.txt", html=f"{TEMPLATE_DIR}/digest.html")


def notification_path(notification: Notification) -> str:
    """The web address that opens ``notification``, marks it read and goes on to what it is
    about (empty without the web pages)."""
    return _path("web:notification-open", notification_id=notification.pk)


def notification_url(notification: Notification) -> str:
    """The same, absolute, for emails."""
    path = notification_path(notification)
    return f"{settings.DOCFLOW_SITE_URL}{path}" if path else ""


def _message(*, subject: str, address: str, context: dict, text: str, html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=f"[Docflow] {subject}"[:250].replace("\n", " "),
        body=render_to_string(text, context).strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    message.attach_alternative(render_to_string(html, context), "text/html")
    return message


def _template(kind: str, extension: str) -> str:
    names = [f"{TEMPLATE_DIR}/{kind}.{extension}", f"{TEMPLATE_DIR}/base.{extension}"]
    return select_template(names).template.name


def _absolute(name: str) -> str:
    path = _path(name)
    return f"{settings.DOCFLOW_SITE_URL}{path}" if path else ""


def _path(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a deployment without the web pages
        return ""
