"""Notation (số, ký hiệu) as Decree 30 writes it, for every type."""

from __future__ import annotations

import pytest

from docflow.documents.numbering import format_number, notation_format
from docflow.documents.types import DOCUMENT_TYPES


@pytest.mark.parametrize("kind", [t for t in DOCUMENT_TYPES if t.abbreviation], ids=lambda t: t.code)
def test_types_with_an_abbreviation_put_it_before_the_agency_symbol(kind):
    assert notation_format(number=5, doc_type=kind.code, agency_symbol="UBND") == f"05/{kind.abbreviation}-UBND"


@pytest.mark.parametrize("code", ["cong_van", "thu_cong"])
def test_cong_van_and_thu_cong_put_the_drafting_unit_after_the_agency(code):
    assert notation_format(number=5, doc_type=code, agency_symbol="UBND", unit_symbol="VP") == "05/UBND-VP"
    with pytest.raises(ValueError):
        notation_format(number=5, doc_type=code, agency_symbol="UBND")


@pytest.mark.parametrize("number, text", [(1, "01"), (9, "09"), (10, "10"), (123, "123"), (1000, "1000")])
def test_numbers_below_ten_take_a_leading_zero(number, text):
    assert format_number(number) == text


def test_there_are_29_types_and_two_without_abbreviation():
    assert len(DOCUMENT_TYPES) == 29
    assert {t.code for t in DOCUMENT_TYPES if t.needs_unit} == {"cong_van", "thu_cong"}
