"""One word per delivery state on every page: badges, filters, tiles, tracking and history.

The words are the edXML status names (QCVN 102:2016) written as what has happened ("Đã phân
công", "Đã từ chối"); a work list that holds a state says that word too, then what it waits for.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from docflow.routing.models import Status

STATUS_WORDS = {status: status.label for status in Status}  # the words live on Status itself
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
