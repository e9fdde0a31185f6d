"""One word per delivery state on every page: badges, filters, tiles, tracking and history.

The words are the edXML status names (QCVN 102:2016) written as what has happened ("Đã phân
công", "Đã từ chối"); a work list that holds a state says that word too, then what it waits for.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from docflow.routing.models import Status

STATUS_WORDS = {
    Status.DELIVERED: _("Đã đến"),
    Status.REJECTED: _("Đã từ chối"),
    Status.ACCEPTED: _("Đã tiếp nhận"),
    Status.ASSIGNED: _("Đã phân công"),
    Status.IN_PROGRESS: _("Đang xử lý"),
    Status.COMPLETED: _("Hoàn thành"),
    Status.RECALL_REQUESTED: _("Yêu cầu thu hồi"),
    Status.RECALL_ACCEPTED: _("Đã đồng ý thu hồi"),
    Status.RECALL_REFUSED: _("Đã từ chối thu hồi"),
}
STATUS_CHOICES = [(status.value, STATUS_WORDS[status]) for status in Status]

# Work lists named after the state they hold (the badge's word), then what they wait for.
WAITS_FOR = {
    "to_accept": (STATUS_WORDS[Status.DELIVERED], _("chờ tiếp nhận")),
    "to_approve": (STATUS_WORDS[Status.ACCEPTED], _("chờ phân công")),
}


def status_word(code: str) -> str:
    try:
        return str(STATUS_WORDS[Status(code)])
    except ValueError:
        return code


def work_list_name(key: str) -> str:
    """``Đã đến, chờ tiếp nhận`` for the filters' list of work lists."""
    state, waiting = WAITS_FOR[key]
    return f"{state}, {waiting}"
