"""Desk events cross instances as a kind and a CallSid, and nothing else."""

from __future__ import annotations

from ivr.bus.desk_relay import event_payload, parse_event
from ivr.desk.feed import DeskEvent

SID = "CA" + "0" * 32


def test_an_event_survives_the_trip() -> None:
    event = DeskEvent("taken", SID)
    assert event_payload(event) == {"kind": "taken", "call_sid": SID}
    assert parse_event({**event_payload(event), "origin": "ivr-2"}) == event


def test_anything_else_is_not_an_event() -> None:
    assert parse_event({"kind": "deleted", "call_sid": SID}) is None
    assert parse_event({"kind": "note", "call_sid": ""}) is None
    assert parse_event({"kind": "note", "call_sid": 5}) is None
    assert parse_event({"kind": "note", "call_sid": "C" * 65}) is None
