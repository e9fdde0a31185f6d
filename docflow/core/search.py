"""Search that ignores Vietnamese diacritics and case, over a folded column.

Every searchable model keeps a ``search_text`` column: its searchable fields passed through
``docflow.core.text.fold`` (lower case, no diacritics, đ → d) when the row is written; or
names with ``SEARCH_FIELD`` where it is kept instead (incoming copies: one shared row per
distinct text, ``routing.CopyText``). A query
is folded by the same function, and each of its words must occur in that column, anywhere
(``dien`` finds "điện", ``quyet dinh`` finds "Quyết định" and "định ... quyết").

Why fold in Python rather than ``unaccent()`` in PostgreSQL at query time: the column is
already folded, so PostgreSQL needs no ``unaccent`` at all. A plain pg_trgm GIN index on it
serves ``LIKE '%word%'`` (``unaccent`` is not IMMUTABLE, so indexing ``unaccent(col)`` would
need a wrapper function, and its rules are a second definition of "the same letter" that
could disagree with ours); SQLite, which has no ``unaccent``, runs the same ``LIKE`` over the
same column. One function decides what matches, on both databases, on write and on read.

Ranking: on PostgreSQL by ``word_similarity(query, text)`` (how well the words of the query
appear together in the text), ties and SQLite by recency. ``word_similarity`` costs time in
proportion to the text (0.13 ms for a 380-character row, measured in bench/bench_search.py),
so it reads the head of ``search_text`` (``RANK_CHARS``: the notation, subject, sender and
signer come first, the body last) of the ``RANK_WINDOW`` most recent matches only: a common
word costs a short walk down the recency index, not a similarity over every match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from django.db.models import F, FloatField, Func, QuerySet, TextField, Value
from django.db.models.functions import Concat, Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from docflow.core.text import fold

MAX_QUERY_CHARS = 200
MAX_TERMS = 8  # each word is one more LIKE (and index scan); eight words say enough
RANK_WINDOW = 200
RANK_CHARS = 200
# Punctuation around a word is not part of it ("định," finds "định."); inside it is ("15/qd-ubnd").
EDGE_PUNCTUATION = ".,;:!?\"'()[]{}<>«»“”‘’…*"
WORD_RUN = re.compile(r"[^\W_]+")  # letters and digits: pg_trgm's word characters


def search_terms(q: str | None) -> list[str]:
    """The folded words of a query, each once, in order, at most ``MAX_TERMS``."""
    words = (w.strip(EDGE_PUNCTUATION) for w in fold((q or "")[:MAX_QUERY_CHARS]).split())
    return list(dict.fromkeys(w for w in words if w))[:MAX_TERMS]


def search_field(queryset: QuerySet) -> str:
    """Where the model of ``queryset`` keeps its folded text: its ``SEARCH_FIELD`` (a lookup
    path, e.g. through a shared text row), else its own ``search_text`` column."""
    return getattr(queryset.model, "SEARCH_FIELD", "search_text")


def search_filter(queryset: QuerySet, q: str | None, *, field: str | None = None) -> QuerySet:
    """``queryset`` narrowed to rows whose folded ``field`` (default: ``search_field``)
    contains every word of ``q``; unchanged for an empty query. The order of ``queryset`` is kept."""
    field = field or search_field(queryset)
    postgresql = _vendor(queryset) == "postgresql"
    for term in search_terms(q):
        if postgresql and not trigram_indexable(term):
            # Given to the trigram index, a pattern with no trigram makes it return every row
            # to be rechecked (35 s on a million rows, bench_search.py); as a plain filter it
            # is checked along the recency index, which stops as soon as a page is full.
            plain = Concat(F(field), Value(""), output_field=TextField())
            queryset = queryset.alias(search_plain=plain).filter(search_plain__contains=term)
        else:
            queryset = queryset.filter(**{f"{field}__contains": term})
    return queryset


def trigram_indexable(term: str) -> bool:
    """Whether pg_trgm draws a trigram from ``LIKE '%term%'``: from a run of letters or digits
    of three, or of two or one next to punctuation inside the term (a word boundary it can
    pad), as its ``generate_wildcard_trgm`` does. ``d`` and ``zq`` give none."""
    for run in WORD_RUN.finditer(term):
        left_known, right_known = run.start() > 0, run.end() < len(term)
        if len(run.group()) >= 3 or left_known or (len(run.group()) == 2 and right_known):
            return True
    return False


class WordSimilarity(Func):
    """pg_trgm's ``word_similarity(query, text)``: 0..1, 1 when the query's words appear together."""

    function = "WORD_SIMILARITY"
    output_field = FloatField()


def search_ranked(
    queryset: QuerySet, q: str | None, *, recency: Sequence[str], limit: int = 20,
    field: str | None = None,
) -> QuerySet:
    """The best ``limit`` rows of ``queryset`` matching every word of ``q``, best first, each
    annotated with ``rank`` (0..1; 0 on SQLite).

    On PostgreSQL the ``RANK_WINDOW`` most recent matches (``recency`` is the order, e.g.
    ``("-delivered_at", "-id")``) are ranked by word similarity to the head of their text,
    then by recency; elsewhere rows come newest first. An empty query matches nothing. One query.
    """
    terms = search_terms(q)
    if not terms:
        return queryset.none()
    field = field or search_field(queryset)
    matches = search_filter(queryset, q, field=field)
    if _vendor(queryset) != "postgresql":
        return matches.annotate(rank=Value(0.0, output_field=FloatField())).order_by(*recency)[:limit]
    window = matches.order_by(*recency).values("pk")[:RANK_WINDOW]
    return (
        queryset.filter(pk__in=window)
        .annotate(rank=WordSimilarity(Value(" ".join(terms)), Left(F(field), RANK_CHARS)))
        .order_by("-rank", *recency)[:limit]
    )


def _vendor(queryset: QuerySet) -> str:
    from django.db import connections

    return connections[queryset.db].vendor


# --- Highlighting -------------------------------------------------------------------------


def fold_mapped(text: str) -> tuple[str, list[int]]:
    """``text`` folded as ``fold`` does, with, for each folded character, the index of the
    character of ``text`` it came from (so a match in the folded text marks the original)."""
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text or ""):
        if ch.isspace():
            if folded and folded[-1] != " ":
                folded.append(" ")
                origin.append(index)
            continue
        base = "d" if ch in "đĐ" else ch
        plain = "".join(c for c in unicodedata.normalize("NFD", base) if unicodedata.category(c) != "Mn")
        for c in plain.lower():
            folded.append(c)
            origin.append(index)
    if folded and folded[-1] == " ":
        folded.pop()
        origin.pop()
    return "".join(folded), origin


def match_spans(text: str, q: str | None) -> list[tuple[int, int]]:
    """Where the words of ``q`` occur in ``text``, as sorted, merged (start, end) indexes of
    ``text`` itself (accents and case kept; a combining mark stays with its letter)."""
    terms = search_terms(q)
    if not text or not terms:
        return []
    folded, origin = fold_mapped(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            end = origin[start + len(term) - 1] + 1
            while end < len(text) and unicodedata.category(text[end]) == "Mn":
                end += 1
            spans.append((origin[start], end))
            start = folded.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str | None, q: str | None, *, max_chars: int | None = None) -> SafeString:
    """``text`` escaped, with every occurrence of a word of ``q`` wrapped in ``<mark>``.

    With ``max_chars``, a longer text is cut to an excerpt of about that length around the
    first match, with "…" where it was cut.
    """
    text = text or ""
    spans = match_spans(text, q)
    begin, finish = _window(text, spans, max_chars)
    parts = ["…"] if begin > 0 else []
    cursor = begin
    for start, end in spans:
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        parts.append(escape(text[cursor:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    parts.append(escape(text[cursor:finish]))
    if finish < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # every piece of text went through escape()


def excerpt(text: str | None, q: str | None, *, max_chars: int = 200) -> str:
    """Plain text: about ``max_chars`` of ``text`` around the first match of ``q`` (its start
    when nothing matches), with "…" where it was cut."""
    text = text or ""
    begin, finish = _window(text, match_spans(text, q), max_chars)
    return f"{'…' if begin > 0 else ''}{text[begin:finish]}{'…' if finish < len(text) else ''}"


def _window(text: str, spans: list[tuple[int, int]], max_chars: int | None) -> tuple[int, int]:
    """[begin, finish) of at most ``max_chars``, starting a little before the first match."""
    if max_chars is None or len(text) <= max_chars:
        return 0, len(text)
    first = spans[0][0] if spans else 0
    begin = max(0, min(first - max_chars // 4, len(text) - max_chars))
    return begin, begin + max_chars
