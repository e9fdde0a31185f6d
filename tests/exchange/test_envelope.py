"""The envelope's one check (exchange.envelope): plain data in, the inbound service's types out,
every error under its field — the same for the exchange API and for a package from the axis."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.core.exceptions import ValidationError

from docflow.api.exchange.envelope import ExchangeEnvelopeSerializer
from docflow.exchange.axis.packages import package_receive
from docflow.exchange.edxml import Package, edxml_error_keys
from docflow.exchange.envelope import EnvelopeInvalid, envelope_clean
from tests.exchange.conftest import envelope

SENDER, TO = "000.00.00.G12", "000.01.99.H52"


def refused(data) -> dict:
    with pytest.raises(EnvelopeInvalid) as caught:
        envelope_clean(data)
    return caught.value.errors


def test_a_good_envelope_comes_back_in_the_services_types_with_its_defaults():
    clean = envelope_clean({**envelope(SENDER, [TO, TO]), "number": "12", "urgency": "normal",
                            "attachments": [{"name": "a.pdf", "content_base64": base64.b64encode(b"%PDF").decode()}]})
    assert (clean["number"], clean["issued_at"], clean["due_date"]) == (12, datetime.date(2026, 3, 5), datetime.date(2026, 3, 20))
    assert clean["recipients"] == [TO] and clean["secrecy"] == "normal" and clean["reply_to"] is None
    assert clean["attachments"] == [{"name": "a.pdf", "content_type": "application/octet-stream", "content_base64": b"%PDF"}]
    bare = envelope_clean({k: v for k, v in envelope(SENDER, [TO]).items() if k not in ("place", "content", "urgency")})
    assert (bare["place"], bare["content"], bare["urgency"], bare["attachments"]) == ("", "", "normal", [])


def test_every_error_is_named_nested_as_the_envelope_is():
    errors = refused({**envelope(SENDER, [TO, "not-a-code"]), "notation": "x" * 81, "subject": "  ",
                      "signer": {"position": "Giám đốc"}, "reply_to": {"notation": "1/UBND", "document_id": "abc"},
                      "number": 0, "secrecy": "secret", "doc_type": "thu_tin", "issued_at": "05/03/2026"})
    assert sorted(errors) == ["doc_type", "issued_at", "notation", "number", "recipients", "reply_to",
                              "secrecy", "signer", "subject"]
    assert list(errors["recipients"]) == ["1"] and list(errors["signer"]) == ["full_name"]
    assert sorted(errors["reply_to"]) == ["document_id", "sender_code"]
    assert list(refused([1, 2])) == ["non_field_errors"]
    assert list(refused({**envelope(SENDER, [TO]), "attachments": [{"name": "a"}]})["attachments"][0]) == ["content_base64"]


@pytest.mark.parametrize("value", [None, True, 12.5, [], {}, "x" * 2000, "\x00"])
def test_values_of_the_wrong_kind_are_refused_under_their_field_never_raised(value):
    may_be_empty = [("number", None), ("reply_to", None), ("attachments", [])]  # nullable; no attachments
    for field in ("sender_code", "recipients", "number", "issued_at", "signer", "reply_to", "attachments", "urgency"):
        data = {**envelope(SENDER, [TO]), field: value}
        if (field, value) in may_be_empty:
            assert envelope_clean(data)[field] == value
        else:
            assert list(refused(data)) == [field], (field, value)


def test_the_api_serializer_and_the_axis_reader_refuse_the_same_envelope_for_the_same_field():
    bad = {**envelope(SENDER, [TO]), "notation": "x" * 81}  # the axis once let this through
    serializer = ExchangeEnvelopeSerializer(data=bad)
    assert not serializer.is_valid() and list(serializer.errors) == ["notation"]
    package = Package(envelope=bad, files=[], document_id="", business=None, signature=None, header={})
    with pytest.raises(ValidationError) as caught:
        package_receive(package=package, client=None)
    assert list(caught.value.message_dict) == list(edxml_error_keys(serializer.errors)) == [
        "MessageHeader/Code/CodeNotation"]
