"""The first page after signing in: what waits for this person, by role, and recent activity."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from docflow.audit.selectors import recent_events
from docflow.routing.selectors import incoming_list
from docflow.web.status_words import WAITS_FOR
from docflow.web.views.common import member_required
from docflow.web.worklists import my_work, outgoing_counts

RECENT_EVENTS = 12


@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    member, user_id = request.membership, request.user.pk
    leader = member.is_leader
    tiles = []
    if member.is_clerk:
        tiles.append(("to_accept", *WAITS_FOR["to_accept"], incoming_list(user_id=user_id, work_list="to_accept").count(), "warn"))
    if leader:
        tiles.append(("to_approve", *WAITS_FOR["to_approve"], incoming_list(user_id=user_id, work_list="to_approve").count(), "warn"))
    tiles.append(("to_handle", _("Cần xử lý"), "", incoming_list(user_id=user_id, work_list="to_handle").count(), ""))
    # Leaders watch the agency's deadlines; everyone else their own.
    mine = not leader
    tiles.append(("overdue", _("Quá hạn"), "", incoming_list(user_id=user_id, work_list="overdue", mine=mine).count(), "bad"))
    tiles.append(("due_soon", _("Sắp đến hạn"), "", incoming_list(user_id=user_id, work_list="due_soon", mine=mine).count(), "warn"))
    return render(
        request,
        "web/dashboard.html",
        {
            "nav": "dashboard",
            "tiles": tiles,
            "outgoing": outgoing_counts(member=member),
            "my_work": my_work(member=member),
            "events": list(recent_events(limit=RECENT_EVENTS)),
        },
    )
