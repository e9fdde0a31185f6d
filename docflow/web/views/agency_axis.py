"""The agency admin's view of the national axis: every package sent and received, how it went."""

from __future__ import annotations

from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from docflow.exchange.axis.models import State
from docflow.exchange.axis.selectors import axis_message_get, axis_messages
from docflow.exchange.axis.services import axis_enabled
from docflow.web.views.common import role_required

PAGE_SIZE = 50


@role_required("agency_admin")
def axis_log_page(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("trang-thai", "")
    state = state if state == "attention" or state in State.values else ""
    page = Paginator(axis_messages(state=state), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "web/agency_admin/axis.html", {
        "page": page, "state": state, "states": State.choices, "enabled": axis_enabled(), "nav": "admin",
        "query": f"trang-thai={state}" if state else "",
    })


@role_required("agency_admin")
def axis_message_page(request: HttpRequest, message_id: UUID) -> HttpResponse:
    return render(request, "web/agency_admin/axis_message.html", {
        "message": axis_message_get(message_id=message_id), "nav": "admin",
    })
