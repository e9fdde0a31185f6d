"""Query words and highlighting: what a clerk types, and what lights up in the accented text."""

from __future__ import annotations

import unicodedata

import pytest

from docflow.core.search import excerpt, fold_mapped, highlight, match_spans, search_terms
from docflow.core.text import fold


def test_query_words_are_folded_once_each_without_edge_punctuation():
    assert search_terms('  "Quyết định," số 15/QĐ-UBND quyet ') == ["quyet", "dinh", "so", "15/qd-ubnd"]
    assert search_terms("Đ") == search_terms("d") == ["d"]
    assert search_terms("") == search_terms(None) == search_terms(" ,. ") == []


def test_a_long_query_keeps_its_first_eight_words():
    assert search_terms(" ".join(f"tu{i}" for i in range(20))) == [f"tu{i}" for i in range(8)]


@pytest.mark.parametrize("text", [
    "Quyết định số 15/QĐ-UBND về  việc\tcấp điện",
    "  ĐIỆN BIÊN Phủ  ",
    "Tiếng Việt gõ tổ hợp: ti\u00ea\u0301ng vi\u00ea\u0323t",  # decomposed marks, as some keyboards type
    "Ǆ ﬁ İstanbul Straße",
])
def test_mapped_folding_is_the_folding_search_uses(text):
    folded, origin = fold_mapped(text)
    assert folded == fold(text)
    assert len(origin) == len(folded) and origin == sorted(origin)


def test_matches_are_marked_in_the_accented_text():
    html = highlight("Quyết định về việc cấp điện cho Đồng Tâm", "quyet dinh dien dong")
    assert html == ("<mark>Quyết</mark> <mark>định</mark> về việc cấp <mark>điện</mark> cho "
                    "<mark>Đồng</mark> Tâm")


def test_a_decomposed_letter_is_marked_whole_with_its_marks():
    text = unicodedata.normalize("NFD", "Điện lực")
    start, end = match_spans(text, "dien")[0]
    assert unicodedata.normalize("NFC", text[start:end]) == "Điện"


def test_overlapping_matches_make_one_mark_and_markup_is_escaped():
    assert highlight("<b>Kế hoạch</b>", "hoach hoa ke") == "&lt;b&gt;<mark>Kế</mark> <mark>hoạch</mark>&lt;/b&gt;"
    assert highlight("Không có gì", "dien") == "Không có gì"
    assert highlight(None, "dien") == ""


def test_a_long_body_is_cut_around_the_first_match():
    body = "Căn cứ " * 60 + "bảo đảm an toàn lưới điện nông thôn" + " đề nghị" * 60
    html = highlight(body, "luoi dien", max_chars=120)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>lưới</mark> <mark>điện</mark>" in html
    plain = excerpt(body, "luoi dien", max_chars=120)
    assert "lưới điện" in plain and len(plain) <= 122 and "<" not in plain
    assert excerpt("ngắn", "x") == "ngắn"


@pytest.mark.parametrize("term,indexable", [
    ("d", False), ("zq", False), ("15", False), ("dan", True), ("15/qd", True),
    ("hs-003063", True), ("zq-", True), ("-a", True), ("a-", False),
])
def test_which_words_the_trigram_index_can_narrow(term, indexable):
    """Words it cannot narrow are checked row by row instead of making it return every row."""
    from docflow.core.search import trigram_indexable

    assert trigram_indexable(term) is indexable
