"""``{% file_into document "incoming" %}``: the "Lưu vào hồ sơ" action on a document's page."""

from __future__ import annotations

from django import template

from docflow.records.models import FileState
from docflow.records.selectors import files_holding, files_list, files_suggested
from docflow.web.forms.records import FileDocumentForm

register = template.Library()
MAX_CHOICES = 50


@register.inclusion_tag("web/records/_file_into.html", takes_context=True)
def file_into(context, document, kind: str) -> dict:
    """Suggested open files first (a reply: the file of what it answers), then the person's own,
    then the agency's other open files; three queries."""
    request = context["request"]
    ids = {f"{kind}_id": document.pk}
    held = list(files_holding(**ids))
    taken = {f.pk for f in held}
    suggested = [f for f in files_suggested(**ids) if f.pk not in taken]
    mine = request.membership.user_id
    others = sorted((f for f in files_list(state=FileState.OPEN)[:MAX_CHOICES]
                     if f.pk not in taken and f not in suggested),
                    key=lambda f: (f.responsible_id != mine, f.code))
    return {
        "document": document, "kind": kind, "held": held, "form": FileDocumentForm(),
        "choices": [(f, True) for f in suggested] + [(f, False) for f in others],
        "next": request.get_full_path(),
    }
