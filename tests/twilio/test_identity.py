"""Caller identities: the shapes Twilio sends are kept (normalised); everything else —
control and bidi characters, overlong or malformed values — never reaches the record."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.twilio.identity import MAX_CHARS, Party, normalize_party


@pytest.mark.parametrize(
    ("raw", "party"),
    [
        ("+14155550100", Party("e164", "+14155550100")),
        (" +1 (415) 555-0100 ", Party("e164", "+14155550100")),
        ("＋１４１５５５５０１００", Party("e164", "+14155550100")),  # full-width
        ("4155550100", Party("number", "4155550100")),
        ("client:ada_agent", Party("client", "client:ada_agent")),
        ("Client:ada", Party("client", "client:ada")),
        (
            "sip:+14155550100@trunk.example.pstn.twilio.com",
            Party("sip", "sip:+14155550100@trunk.example.pstn.twilio.com"),
        ),
        (
            "SIP:ada@10.0.0.5:5060;transport=tcp",
            Party("sip", "sip:ada@10.0.0.5:5060;transport=tcp"),
        ),
        ("sips:bob@[2001:db8::1]", Party("sip", "sips:bob@[2001:db8::1]")),
        ("anonymous", Party("anonymous", "anonymous")),
        ("Anonymous", Party("anonymous", "anonymous")),
        ("+266696687", Party("anonymous", "anonymous")),
        ("restricted", Party("anonymous", "anonymous")),
        ("", Party("anonymous", "anonymous")),
        ("   ", Party("anonymous", "anonymous")),
    ],
)
def test_identity_shapes_twilio_sends_are_kept(raw: str, party: Party) -> None:
    assert normalize_party(raw) == party


def test_identity_bidi_override_cannot_disguise_a_number() -> None:
    # U+202E reversed the tail on the desk: "+141555\u202e00105" displayed as Ada's
    # +14155550100. Without the control character it is the number it really is.
    assert normalize_party("+141555\u202e00105") == Party("e164", "+14155500105")
    assert normalize_party("\u2066+14155550100\u2069") == Party("e164", "+14155550100")
    assert normalize_party("+1415\u200b5550100") == Party("e164", "+14155550100")


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        "sip:" + "a" * 300 + "@example.com",
        "sip:ada@exa mple.com",
        "client:",
        "+0123456",
        "+1234567890123456",  # 16 digits: longer than E.164 allows
        "DROP TABLE calls",
    ],
)
def test_identity_anything_else_is_stored_as_invalid(raw: str) -> None:
    assert normalize_party(raw) == Party("invalid", "invalid")


def test_identity_nul_and_control_characters_are_dropped() -> None:
    # A NUL byte made PostgreSQL refuse the insert, and the call record was lost.
    assert normalize_party("+1415555\x000100") == Party("e164", "+14155550100")
    assert normalize_party("client:ada\r\n") == Party("client", "client:ada")


@given(st.text(max_size=400))
def test_identity_output_is_bounded_printable_and_stable(raw: str) -> None:
    party = normalize_party(raw)
    assert 0 < len(party.value) <= MAX_CHARS
    assert not any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in party.value)
    assert normalize_party(party.value) == party
