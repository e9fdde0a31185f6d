"""The small rules of the axis form: date forms, the code without its number, the identifier,
the integer Type, the manifest and the Bussiness type are read as public packages write them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from docflow.exchange.edxml import edxml_date, edxml_package, notation_of
from docflow.exchange.edxml_render import axis_date, code_parts
from docflow.exchange.edxml_tables import TYPE_NUMBERS, doc_type_of
from docflow.exchange.identifier import document_identifier, parse_document_identifier
from tests.exchange.test_edxml_axis import fixture


@pytest.mark.parametrize(("raw", "iso"), [
    ("2026/03/05", "2026-03-05"), ("2026/3/5", "2026-03-05"), ("2026/03/05 08:30:00", "2026-03-05"),
    ("2026-03-05", "2026-03-05"), ("2026-03-05T08:30:00+07:00", "2026-03-05"), ("05/03/2026", "2026-03-05"),
])
def test_every_date_form_reads_as_the_same_day(raw, iso):
    assert edxml_date(raw) == iso


def test_a_date_in_no_known_form_is_left_for_the_envelope_to_refuse():
    assert edxml_date("mùng 5 tháng 3") == "mùng 5 tháng 3"


@pytest.mark.parametrize(("number", "code", "notation"), [
    ("45", "SNV-VP", "45/SNV-VP"), ("45", "45/SNV-VP", "45/SNV-VP"), (None, "SNV-VP", "SNV-VP"),
    ("07", "UBND-VP", "07/UBND-VP"), ("45", "", ""),
])
def test_code_notation_comes_without_the_number_and_is_read_back_whole(number, code, notation):
    assert notation_of(number, code) == notation


def test_our_notation_is_written_as_the_number_and_the_rest():
    assert code_parts(7, "07/UBND-VP") == ("07", "UBND-VP")
    assert code_parts(None, "UBND-VP") == ("", "UBND-VP")
    assert axis_date("2026-03-05") == axis_date(date(2026, 3, 5)) == "2026/03/05"


def test_the_identifier_is_written_and_read_in_the_axis_form():
    made = document_identifier(organ_id="000.00.31.H52", issued_on=date(2026, 3, 6), notation="07/UBND-VP")
    assert made == "000.00.31.H52,2026/03/06,07/UBND-VP"
    parts = parse_document_identifier(made)
    assert (parts.organ_id, parts.issued_on, parts.notation) == ("000.00.31.H52", date(2026, 3, 6), "07/UBND-VP")
    assert str(parts) == made
    for wrong in ("0190c2a1-0000-7000-8000-000000000001", "000.00.31.H52,06/03/2026,07/UBND-VP", ""):
        with pytest.raises(ValueError):
            parse_document_identifier(wrong)


def test_the_type_is_read_by_name_first_then_by_its_integer():
    assert doc_type_of(number="1", name="Công văn") == "cong_van"
    assert doc_type_of(number="99", name="Quyet dinh") == "quyet_dinh"
    assert doc_type_of(number=str(TYPE_NUMBERS["bao_cao"]), name=None) == "bao_cao"
    assert doc_type_of(number="999", name=None) is None
    assert len(set(TYPE_NUMBERS.values())) == len(TYPE_NUMBERS)


@pytest.mark.parametrize(("change", "element"), [
    (("<edXML:ContentId>cid:2</edXML:ContentId>", "<edXML:ContentId>cid:9</edXML:ContentId>"),
     "edXMLBody/edXMLManifest/Reference"),
    (("<edXML:BussinessDocType>0<", "<edXML:BussinessDocType>7<"), "TraceHeaderList/Bussiness/BussinessDocType"),
    (("</edXML:TraceHeaderList>", "</edXML:TraceHeaderList><Signature><SignatureValue>x</SignatureValue></Signature>"),
     "Signature"),
    (("<edXML:edXMLEnvelope xmlns", "<edXML:Other xmlns"), "edXMLEnvelope"),
])
def test_a_package_that_breaks_a_rule_is_refused_naming_the_element(change, element):
    raw = fixture("new_document.edxml").decode().replace(*change, 1)
    if element == "edXMLEnvelope":
        raw = raw.replace("</edXML:edXMLEnvelope>", "</edXML:Other>")
    with pytest.raises(ValidationError) as caught:
        edxml_package(raw.encode())
    assert element in caught.value.message_dict
