"""Notification emails: Vietnamese plain text and HTML from the kind's templates, sent once."""

from __future__ import annotations

import smtplib
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from docflow.core.scoping import cross_agency
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_create
from docflow.routing.reminders import KIND_DUE_TOMORROW, KIND_OVERDUE
from docflow.web.notification_kinds import KIND_LABELS
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications" / "email"
DOCUMENT_ID = uuid.UUID("0190a0c8-0000-7000-8000-000000000001")


def notify(member, *, kind="outgoing.to_approve", title="Văn bản chờ duyệt: Về việc A & B <khẩn>", key="k1"):
    return notification_create(
        agency_id=member.agency_id, recipient_id=member.user_id, kind=kind, title=title,
        body="Quyết định về việc thành lập tổ công tác", object_type="outgoing_document",
        object_id=DOCUMENT_ID, dedup_key=key,
    )


def test_email_has_text_and_html_naming_the_person_the_event_and_the_page(django_capture_on_commit_callbacks):
    member = MembershipFactory(leader=True, user__full_name="Lò Văn Minh", agency__name="Ủy ban nhân dân xã Tà Xùa")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(member)

    [message] = mail.outbox
    assert message.subject == "[Docflow] Văn bản chờ duyệt: Về việc A & B <khẩn>"
    assert message.to == [member.user.email]
    link = f"{settings.DOCFLOW_SITE_URL}/thong-bao/{notification.pk}/"  # opens it, then the document
    text = message.body
    assert text.startswith("Kính gửi Lò Văn Minh,")
    assert "Có văn bản đi đang chờ đồng chí duyệt, ký." in text
    assert "Về việc A & B <khẩn>" in text  # plain text is not HTML-escaped
    assert f"Xem và xử lý: {link}" in text
    assert f"{settings.DOCFLOW_SITE_URL}/thong-bao/cai-dat/" in text
    assert "Ủy ban nhân dân xã Tà Xùa" in text
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and '<html lang="vi">' in html
    assert "Về việc A &amp; B &lt;khẩn&gt;" in html and "<khẩn>" not in html
    assert f'href="{link}"' in html and "Duyệt văn bản" in html


def test_a_kind_without_templates_gets_the_general_wording(django_capture_on_commit_callbacks):
    member = MembershipFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(member, kind="something_new")
    assert "Đồng chí có thông báo mới trên Docflow." in mail.outbox[0].body


def test_every_kind_has_its_vietnamese_templates():
    for kind in [*KIND_LABELS, KIND_DUE_TOMORROW, KIND_OVERDUE]:
        for extension in ("txt", "html"):
            assert (TEMPLATES / f"{kind}.{extension}").is_file(), f"{kind}.{extension}"


def test_a_refusing_mail_server_is_tried_again_and_the_email_goes_once(monkeypatch, django_capture_on_commit_callbacks):
    member = MembershipFactory(staff=True)
    real, attempts = EmailMultiAlternatives.send, []

    def flaky(self, *args, **kwargs):
        attempts.append(self.to)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("the server went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(member)
    assert len(attempts) == 2 and len(mail.outbox) == 1
    with cross_agency("system"):
        assert Notification.objects.get(pk=notification.pk).emailed_at is not None
    task = current_app.tasks["notify.notification_email"]
    assert task.apply(kwargs={"agency_id": member.agency_id, "notification_id": str(notification.pk)}).get() is False
    assert len(mail.outbox) == 1
