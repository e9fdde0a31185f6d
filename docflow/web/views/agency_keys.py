"""Agency admins manage signing keys: for the agency (its seal, used by clerks at issue) and
for each leader (personal signature): a .p12 file and its password, PKCS#11 settings, or an
external signer's certificate; and the signature or seal image (transparent PNG)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from docflow.documents.signing.credentials import certificate_of
from docflow.documents.signing.models import CredentialKind
from docflow.documents.signing.sign import credentials_list
from docflow.documents.signing.services import (
    credential_image_set,
    credential_set_external,
    credential_set_pkcs11,
    credential_set_pkcs12,
)
from docflow.tenancy.models import Membership
from docflow.tenancy.selectors import members_with_role
from docflow.web.once import OnceForm
from docflow.web.views.common import perform, role_required

AGENCY = "agency"


class KeyForm(OnceForm):
    holder = forms.ChoiceField(label=gettext_lazy("Khóa của"))
    kind = forms.ChoiceField(label=gettext_lazy("Loại khóa"), choices=CredentialKind.choices)
    file = forms.FileField(label=gettext_lazy("Tệp .p12 hoặc chứng thư (.pem/.cer)"), required=False)
    password = forms.CharField(label=gettext_lazy("Mật khẩu tệp .p12"), required=False,
                               widget=forms.PasswordInput(render_value=False))
    module = forms.CharField(label=gettext_lazy("Thư viện PKCS#11"), required=False)
    token_label = forms.CharField(label=gettext_lazy("Nhãn thiết bị (token)"), required=False)
    key_label = forms.CharField(label=gettext_lazy("Nhãn khóa"), required=False)
    pin_env = forms.CharField(label=gettext_lazy("Biến môi trường chứa mã PIN"), required=False)
    image = forms.FileField(label=gettext_lazy("Ảnh chữ ký / con dấu (PNG nền trong suốt)"), required=False)

    def __init__(self, *args, leaders: list[Membership], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [(AGENCY, _("Cơ quan (chữ ký số cơ quan, con dấu)"))] + [
            (str(m.user_id), m.user.get_full_name() or m.user.username) for m in leaders
        ]


def _save(request: HttpRequest, data: dict) -> str:
    actor = request.membership
    user_id = None if data["holder"] == AGENCY else int(data["holder"])
    upload = data["file"].read() if data["file"] else b""
    if data["kind"] == CredentialKind.PKCS12 and upload:
        credential_set_pkcs12(actor=actor, user_id=user_id, data=upload, password=data["password"])
    elif data["kind"] == CredentialKind.PKCS11 and data["module"]:
        credential_set_pkcs11(actor=actor, user_id=user_id, module=data["module"], token_label=data["token_label"],
                              key_label=data["key_label"], pin_env=data["pin_env"], certificate=upload)
    elif data["kind"] == CredentialKind.EXTERNAL and upload:
        if user_id is None:
            raise forms.ValidationError({"kind": [_("Cơ quan ký khi phát hành: cần tệp .p12 hoặc PKCS#11.")]})
        credential_set_external(actor=actor, user_id=user_id, certificate=upload)
    if data["image"]:
        credential_image_set(actor=actor, user_id=user_id, png=data["image"].read())
    messages.success(request, _("Đã lưu khóa ký số."))
    return reverse("web:admin-keys")


@role_required("agency_admin")
def keys_page(request: HttpRequest) -> HttpResponse:
    leaders = list(members_with_role(agency=request.agency, role="leader"))
    form = KeyForm(request.POST or None, request.FILES or None, leaders=leaders)
    if request.method == "POST" and form.is_valid():
        response = perform(request, form, action=lambda: _save(request, form.cleaned_data),
                           fallback=reverse("web:admin-keys"), field_map={"user": "holder", "certificate": "file"})
        if response is not None:
            return response
    names = {m.user_id: m.user.get_full_name() for m in leaders}
    rows = [
        (names.get(c.user_id, _("Cơ quan")) if c.user_id else _("Cơ quan"), c, certificate_of(c))
        for c in credentials_list()
    ]
    return render(request, "web/agency_admin/keys.html", {"form": form, "rows": rows, "nav": "admin"},
                  status=400 if form.is_bound else 200)
