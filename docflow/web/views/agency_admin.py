"""Agency administration for agency admins: people and roles, password reset links, units, the
approval chain, the default handling days, and the registers with this year's last numbers."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from docflow.documents.selectors import approval_chain_of
from docflow.documents.services import approval_chain_set
from docflow.routing.deadlines import handling_settings_update
from docflow.routing.register_books import registers_list
from docflow.routing.selectors import handling_settings
from docflow.tenancy.passwords import password_reset_issue
from docflow.tenancy.selectors import (
    member_by_id,
    member_by_username,
    members_active,
    units_list,
    user_belongs_elsewhere,
)
from docflow.tenancy.services import member_upsert, unit_upsert
from docflow.web.forms.agency_admin import ChainForm, HandlingSettingsForm, MemberForm, UnitForm
from docflow.web.once import OnceForm
from docflow.web.views.common import perform, role_required

ADMIN = "agency_admin"
# Where a just-issued reset link waits to be shown once, after the redirect.
RESET_LINK_SESSION_KEY = "docflow_issued_reset_link"


@role_required(ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    registers = [
        (r, next((c.last_number for c in r.counters.all() if c.year == year), 0))
        for r in registers_list(membership=request.membership)
    ]
    return render(request, "web/agency_admin/home.html", {
        "people": members_active(), "units": units_list(),
        "chain": approval_chain_of(agency_id=request.agency.pk), "registers": registers, "year": year,
        "handling": handling_settings(agency_id=request.agency.pk), "nav": "admin",
    })


def _form_page(request: HttpRequest, form: OnceForm, *, save: Callable[[], None], done: str,
               template: str = "web/agency_admin/form.html", **context) -> HttpResponse:
    """The admin's form pages: a valid POST runs ``save`` once, says ``done`` and goes back to
    the admin home; otherwise the form is shown (400 when it was sent with errors)."""
    if request.method == "POST" and form.is_valid():

        def action() -> str:
            save()
            messages.success(request, done)
            return reverse("web:admin-home")

        response = perform(request, form, action=action, fallback=reverse("web:admin-home"))
        if response is not None:
            return response
    return render(request, template, {"form": form, "nav": "admin", **context},
                  status=400 if form.is_bound else 200)


@role_required(ADMIN)
def member_edit(request: HttpRequest, username: str | None = None) -> HttpResponse:
    member = None
    if username is not None:
        member = member_by_username(username=username)
        if member is None:
            raise Http404
    units = units_list(active_only=True)
    initial = {}
    if member:
        initial = {"username": member.user.username, "full_name": member.user.full_name,
                   "email": member.user.email, "position": member.position,
                   "unit": str(member.unit_id or ""), "roles": member.roles}
    shared = member is not None and user_belongs_elsewhere(user=member.user, agency_id=request.agency.pk)
    form = MemberForm(request.POST or None, initial=initial, units=units, editing=member is not None,
                      shared=shared)

    def save() -> None:
        data = form.cleaned_data
        member_upsert(
            actor=request.membership, agency=request.agency, username=data["username"],
            full_name=data["full_name"], password=data.get("password") or None, roles=data["roles"],
            unit=next((u for u in units if str(u.pk) == data["unit"]), None),
            position=data["position"], email=data["email"],
        )

    return _form_page(request, form, save=save, member=member,
                      done=_("Đã lưu người dùng %(u)s.") % {"u": form.data.get("username") or username},
                      title=_("Sửa người dùng") if member else _("Thêm người dùng"))


@never_cache  # the page shows a live reset link once
@role_required(ADMIN)
def member_password_reset(request: HttpRequest, member_id: UUID) -> HttpResponse:
    """Ask to issue a one-time link (GET), issue it (POST), then show it once after the redirect."""
    member = member_by_id(member_id=member_id)
    if member is None:
        raise Http404
    here = reverse("web:admin-member-reset", args=[member.uuid])
    issued = request.session.pop(RESET_LINK_SESSION_KEY, None) if request.method == "GET" else None
    if issued and issued.get("member") != str(member.uuid):
        issued = None
    form = OnceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def issue() -> str:
            link = password_reset_issue(actor=request.membership, membership_id=member.uuid)
            request.session[RESET_LINK_SESSION_KEY] = {
                "member": str(member.uuid), "url": link.url, "emailed_to": link.emailed_to,
            }
            return here

        response = perform(request, form, action=issue, fallback=here)
        if response is not None:
            return response
    return render(request, "web/agency_admin/password_reset.html", {
        "form": form, "member": member, "issued": issued, "nav": "admin",
        "shared": user_belongs_elsewhere(user=member.user, agency_id=request.agency.pk),
    })


@role_required(ADMIN)
def handling_settings_edit(request: HttpRequest) -> HttpResponse:
    """The default days per urgency that an assignment without a due date takes."""
    current = handling_settings(agency_id=request.agency.pk)
    form = HandlingSettingsForm(request.POST or None, initial={
        name: getattr(current, name) for name in HandlingSettingsForm.DAY_FIELDS
    })
    return _form_page(
        request, form, save=lambda: handling_settings_update(membership=request.membership, **form.days()),
        done=_("Đã lưu hạn xử lý mặc định."), template="web/agency_admin/handling.html",
    )


@role_required(ADMIN)
def unit_edit(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None)
    return _form_page(
        request, form, done=_("Đã lưu phòng, ban."), title=_("Thêm hoặc sửa phòng, ban"),
        save=lambda: unit_upsert(agency=request.agency, symbol=form.cleaned_data["symbol"],
                                 name=form.cleaned_data["name"]),
    )


@role_required(ADMIN)
def approval_chain_edit(request: HttpRequest) -> HttpResponse:
    form = ChainForm(request.POST or None, current=approval_chain_of(agency_id=request.agency.pk))
    return _form_page(request, form, save=lambda: approval_chain_set(actor=request.membership, steps=form.steps()),
                      done=_("Đã lưu quy trình duyệt."), template="web/agency_admin/chain.html")
