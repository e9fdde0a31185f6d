"""The leader's approval signed outside the server, on the web: prepare shows the digest for the
signing app (USB token) or remote signer, and a form takes the CMS signature back in base64."""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from docflow.core.errors import InvalidState
from docflow.documents.external_signing import (
    approval_signing_prepare,
    approval_signing_submit,
)
from docflow.documents.selectors import document_get
from docflow.web.views.common import errors_to_form, member_required


class SubmitForm(forms.Form):
    request_id = forms.UUIDField(widget=forms.HiddenInput)
    cms = forms.CharField(label=_("Chữ ký (CMS, base64) từ ứng dụng ký"), widget=forms.Textarea(attrs={"rows": 6}))

    def clean_cms(self) -> bytes:
        try:
            return base64.b64decode("".join(self.cleaned_data["cms"].split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(_("Không phải chuỗi base64 hợp lệ.")) from None


def _page(request, document, prepared, form, status=200) -> HttpResponse:
    return render(request, "web/outgoing/external_sign.html", {
        "doc": document, "prepared": prepared, "form": form, "nav": "outgoing",
        "digest": base64.b64encode(bytes(prepared.digest)).decode() if prepared else "",
    }, status=status)


@member_required
@require_POST
def sign_prepare(request: HttpRequest, document_id) -> HttpResponse:
    document = document_get(document_id=document_id)
    try:
        prepared = approval_signing_prepare(actor=request.membership, document_id=document.pk)
    except InvalidState as exc:
        messages.warning(request, exc.message)
        return redirect("web:outgoing-detail", document.pk)
    except ValidationError as exc:
        return render(request, "web/denied.html", {"message": " ".join(exc.messages)}, status=400)
    return _page(request, document, prepared, SubmitForm(initial={"request_id": prepared.pk}))


@member_required
@require_POST
def sign_submit(request: HttpRequest, document_id) -> HttpResponse:
    document = document_get(document_id=document_id)
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            approval_signing_submit(actor=request.membership, document_id=document.pk,
                                    request_id=form.cleaned_data["request_id"], cms=form.cleaned_data["cms"])
            return redirect(reverse("web:outgoing-detail", args=[document.pk]))
        except ValidationError as exc:
            errors_to_form(form, exc, field_map={"request_id": None, "signature": None})
    return _page(request, document, None, form, status=400)
