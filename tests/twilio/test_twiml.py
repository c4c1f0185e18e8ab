"""TwiML documents, parsed back as Twilio would read them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ivr.twilio.twiml import agent_unavailable, connect_stream, dial_agent, whisper


def test_connect_stream_has_action_stream_parameters_and_no_dead_air() -> None:
    doc = connect_stream(
        "wss://ivr.example.com/twilio/media",
        "https://ivr.example.com/twilio/stream-ended",
        None,
        {"caller": "+14155550100"},
    )
    root = ET.fromstring(doc)
    connect = root.find("Connect")
    assert (
        connect is not None
        and connect.get("action") == "https://ivr.example.com/twilio/stream-ended"
    )
    stream = connect.find("Stream")
    assert stream is not None and stream.get("url") == "wss://ivr.example.com/twilio/media"
    assert "?" not in stream.get("url", "")
    assert [(p.get("name"), p.get("value")) for p in stream.findall("Parameter")] == [
        ("caller", "+14155550100")
    ]
    assert root[-1].tag == "Hangup"


def test_dial_agent_rings_with_whisper_and_answer_on_bridge() -> None:
    doc = dial_agent(
        "+15005550006",
        action_url="https://x/twilio/dial-ended",
        whisper_url="https://x/twilio/whisper?call=CA1",
        timeout_s=20,
        caller_id=None,
    )
    dial = ET.fromstring(doc).find("Dial")
    assert dial is not None
    assert dial.get("answerOnBridge") == "true" and dial.get("timeout") == "20"
    number = dial.find("Number")
    assert number is not None and number.text == "+15005550006"
    assert number.get("url") == "https://x/twilio/whisper?call=CA1"


def test_whisper_is_say_only() -> None:
    root = ET.fromstring(whisper("Verified caller Ada Lovelace asked for an agent."))
    assert [el.tag for el in root] == ["Say"]


def test_agent_unavailable_offers_choices_and_never_ends_silent() -> None:
    root = ET.fromstring(agent_unavailable("https://x/twilio/unavailable-choice"))
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    assert root[-1].tag == "Redirect"
