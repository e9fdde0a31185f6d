"""A form submitted twice acts once.

Every form that changes something carries a hidden one-time key (``OnceField``). The first
submission claims the key in its own committed row before calling the service; a second
submission of the same key (double click, resend after a timeout) finds the row, waits for the
first to finish and is sent where the first one went. A service error releases the key so the
corrected form can be sent again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from docflow.web.models import SubmittedForm

WAIT_SECONDS = 15.0
KEEP_DAYS = 2


class OnceField(forms.UUIDField):
    """The hidden one-time key; a fresh one with every blank form."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)


class OnceForm(forms.Form):
    """Base of every form that changes something."""

    once = OnceField()


def submit_once(
    request: HttpRequest, *, key: uuid.UUID, action: Callable[[], str], fallback: str
) -> HttpResponse:
    """Run ``action`` (which returns the URL to show next) once for ``key``; redirect there.

    A repeat waits for the first submission and goes where it went, or to ``fallback`` when the
    first one failed or is still running after a while.
    """
    try:
        with transaction.atomic():
            SubmittedForm.objects.create(key=key, user=request.user)
    except IntegrityError:
        return HttpResponseRedirect(_first_result(request, key) or fallback)
    cutoff = timezone.now() - timedelta(days=KEEP_DAYS)
    SubmittedForm.objects.filter(user=request.user, created_at__lt=cutoff).delete()
    try:
        url = action()
    except BaseException:
        SubmittedForm.objects.filter(key=key).delete()
        raise
    SubmittedForm.objects.filter(key=key).update(result_url=url)
    return HttpResponseRedirect(url)


def _first_result(request: HttpRequest, key: uuid.UUID) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        row = SubmittedForm.objects.filter(key=key, user=request.user).first()
        if row is None:  # someone else's key, or the first attempt failed meanwhile
            return ""
        if row.result_url or time.monotonic() > deadline:
            return row.result_url
        time.sleep(0.2)

