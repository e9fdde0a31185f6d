"""Search in the templates: matches marked in the accented text.

    {% load docflow_search %}
    {{ d.subject|highlight:q }}              marks the words of q (diacritics ignored)
    {{ d.content|highlight_excerpt:q }}      the same, cut to ~200 characters around the first
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from docflow.core.search import highlight as highlight_text
from docflow.documents.models import OutgoingState
from docflow.routing.models import Status

register = template.Library()
EXCERPT_CHARS = 200


@register.filter
def highlight(text: str | None, q: str | None) -> SafeString:
    return highlight_text(text, q)


@register.filter
def highlight_excerpt(text: str | None, q: str | None) -> SafeString:
    return highlight_text(text, q, max_chars=EXCERPT_CHARS)


@register.filter
def hit_status(hit) -> str:
    """A search hit's state as people read it: the incoming status or the outgoing state."""
    try:
        return str((Status if hit.kind == "incoming" else OutgoingState)(hit.status).label)
    except ValueError:
        return hit.status
