"""/api/v1/search/: the caller's agency's incoming and outgoing documents matching a query,
best first; diacritics and case are ignored (``dien`` finds "điện")."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from docflow.api.base import ScopedAPIView
from docflow.api.incoming_serializers import CommaListField
from docflow.core.search import excerpt
from docflow.routing.search import MAX_RESULTS, SEARCH_KINDS, documents_search

EXCERPT_CHARS = 200


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(help_text="words of the notation, subject, body, sender or signer")
    kind = CommaListField(
        choices={k: k for k in SEARCH_KINDS}, required=False, default=list(SEARCH_KINDS),
        help_text="incoming, outgoing or both (comma-separated)",
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_RESULTS, default=20)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SEARCH_KINDS)
    id = serializers.UUIDField()
    notation = serializers.CharField()
    subject = serializers.CharField()
    sender = serializers.CharField(help_text="the sending agency (incoming documents)")
    signer = serializers.CharField()
    excerpt = serializers.CharField(help_text="the content or body around the first match")
    date = serializers.DateTimeField(help_text="arrival (incoming), issue or creation (outgoing)")
    status = serializers.CharField(help_text="status code (incoming) or state (outgoing)")
    rank = serializers.FloatField(help_text="0..1, higher is better (PostgreSQL); 0 on SQLite")


class SearchResultSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)


class SearchView(ScopedAPIView):
    """Ranked search over the caller's agency's documents (never another agency's)."""

    @extend_schema(parameters=[SearchQuerySerializer], responses=SearchResultSerializer)
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data["q"]
        hits = documents_search(q=q, kinds=query.validated_data["kind"], limit=query.validated_data["limit"])
        results = [{**hit.__dict__, "excerpt": excerpt(hit.text, q, max_chars=EXCERPT_CHARS)} for hit in hits]
        return Response(SearchResultSerializer({"results": results}).data)
