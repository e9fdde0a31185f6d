"""Search over the agency's incoming and outgoing documents, best first, matches marked."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from docflow.routing.search import documents_search
from docflow.web.views.common import member_required

RESULTS = 50
KINDS = [("", _("Cả văn bản đến và đi")), ("incoming", _("Văn bản đến")), ("outgoing", _("Văn bản đi"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm văn bản"), max_length=200, required=False,
                        help_text=_("Số ký hiệu, trích yếu, nội dung, nơi gửi, người ký; gõ không dấu cũng được."))
    loai = forms.ChoiceField(label=_("Loại"), choices=KINDS, required=False)


@member_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q, hits = "", []
    if form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"]
        kind = form.cleaned_data["loai"]
        hits = documents_search(q=q, kinds=[kind] if kind else ("incoming", "outgoing"), limit=RESULTS)
    return render(request, "web/search/results.html", {"form": form, "q": q, "hits": hits, "nav": "search"})
