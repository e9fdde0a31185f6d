"""A form submitted twice acts once.

Every form that changes something carries a hidden one-time key (``OnceField``). The mechanism
is the API's ``Idempotency-Key`` (``core.idempotency``): the submission claims the key in the
service's own transaction, runs the action (its services join that transaction) and writes where
it went next on the key's row, so the key, the writes and the answer commit together. A second
submission of the same key (double click, resend after a timeout) is sent where the first went;
while the first is still running it is told so at once (409, a page to reload), without waiting
in the request. A service error rolls the key back with everything else, so the corrected form
can be sent again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from docflow.core.idempotency import KeyBusy, key_claim
from docflow.core.services import service_transaction
from docflow.web.models import SubmittedForm

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

    A repeat goes where the first submission went; while the first still runs, a 409 page says
    so, with a link to ``fallback`` (and reloading sends the form again, then redirected)."""
    try:
        with service_transaction():
            row = key_claim(lambda: SubmittedForm.objects.create(key=key, user=request.user), wait=False)
            if row is None:
                first = SubmittedForm.objects.filter(key=key, user=request.user).first()
                if first is not None and not first.result_url:
                    raise KeyBusy  # claimed earlier in this very transaction, not finished
                return HttpResponseRedirect(first.result_url if first else fallback)
            row.result_url = action()
            row.save(update_fields=["result_url"])
            cutoff = timezone.now() - timedelta(days=KEEP_DAYS)
            SubmittedForm.objects.filter(user=request.user, created_at__lt=cutoff).delete()
    except KeyBusy:
        return render(request, "web/once_busy.html", {"fallback": fallback}, status=409)
    return HttpResponseRedirect(row.result_url)
