"""The Media Streams translator: Twilio's JSON frames ↔ typed messages."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.twilio.media import (
    Connected,
    Dtmf,
    Mark,
    Media,
    Start,
    Stop,
    StreamProtocolError,
    clear_message,
    mark_message,
    media_message,
    parse_message,
)
from ivr.types import DtmfKey, StreamSid

SID = "MZ22222222222222222222222222222222"
START = (
    '{"event":"start","sequenceNumber":"1","streamSid":"MZ22222222222222222222222222222222",'
    '"start":{"accountSid":"AC00000000000000000000000000000000",'
    '"streamSid":"MZ22222222222222222222222222222222","callSid":"CA11111111111111111111111111111111",'
    '"tracks":["inbound"],"customParameters":{"caller":"+14155550100"},'
    '"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}'
)


def test_parse_connected() -> None:
    assert parse_message('{"event":"connected","protocol":"Call","version":"1.0.0"}') == Connected(
        "Call"
    )


def test_parse_start_reads_ids_tracks_and_parameters() -> None:
    msg = parse_message(START)
    assert isinstance(msg, Start)
    assert msg.call_sid == "CA11111111111111111111111111111111"
    assert msg.stream_sid == SID
    assert msg.tracks == ("inbound",)
    assert msg.custom_parameters == {"caller": "+14155550100"}


def test_parse_media_decodes_payload_and_string_numbers() -> None:
    payload = base64.b64encode(b"\xff" * 160).decode()
    raw = json.dumps(
        {
            "event": "media",
            "sequenceNumber": "2",
            "streamSid": SID,
            "media": {"track": "inbound", "chunk": "1", "timestamp": "5", "payload": payload},
        }
    )
    msg = parse_message(raw)
    assert isinstance(msg, Media)
    assert msg.payload == b"\xff" * 160
    assert (msg.chunk, msg.timestamp_ms) == (1, 5)


def test_parse_dtmf_mark_stop() -> None:
    dtmf = parse_message(
        '{"event":"dtmf","streamSid":"MZ2","sequenceNumber":"57","dtmf":{"track":"inbound_track","digit":"#"}}'
    )
    assert dtmf == Dtmf(StreamSid("MZ2"), DtmfKey.HASH)
    mark = parse_message(
        '{"event":"mark","sequenceNumber":"80","streamSid":"MZ2","mark":{"name":"p-3"}}'
    )
    assert mark == Mark(StreamSid("MZ2"), "p-3")
    stop = parse_message(
        '{"event":"stop","sequenceNumber":"9","streamSid":"MZ2","stop":{"accountSid":"AC0","callSid":"CA1"}}'
    )
    assert isinstance(stop, Stop) and stop.call_sid == "CA1"


def test_parse_unknown_event_is_ignored() -> None:
    assert parse_message('{"event":"something-new","x":1}') is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("not json", "not JSON"),
        ("[1,2]", "object"),
        ('{"no":"event"}', "event"),
        ('{"event":"media","media":{"payload":"***"}}', "base64"),
        ('{"event":"media","media":{"payload":5}}', "base64"),
        ('{"event":"media","media":{"payload":"//8=","chunk":"x"}}', "integer"),
        ('{"event":"dtmf","dtmf":{"digit":"A"}}', "keypad"),
        ('{"event":"start","start":{"streamSid":"MZ1"}}', "callSid"),
        ('{"event":"mark","mark":{}}', "name"),
    ],
)
def test_parse_malformed_message_raises_protocol_error(raw: str, problem: str) -> None:
    with pytest.raises(StreamProtocolError, match=problem):
        parse_message(raw)


@given(st.text(max_size=200))
def test_parse_arbitrary_text_never_raises_anything_else(raw: str) -> None:
    with contextlib.suppress(StreamProtocolError):
        parse_message(raw)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=12,
    ),
    st.sampled_from(["connected", "start", "media", "dtmf", "mark", "stop"]),
)
def test_parse_arbitrary_json_for_known_events_never_crashes(body: object, event: str) -> None:
    message = {"event": event, event: body, "streamSid": body}
    with contextlib.suppress(StreamProtocolError):
        parse_message(json.dumps(message))


def test_outbound_messages_have_twilio_shapes() -> None:
    media = json.loads(media_message(StreamSid(SID), b"\x00\xff"))
    assert media == {"event": "media", "streamSid": SID, "media": {"payload": "AP8="}}
    assert json.loads(mark_message(StreamSid(SID), "p-1")) == {
        "event": "mark",
        "streamSid": SID,
        "mark": {"name": "p-1"},
    }
    assert json.loads(clear_message(StreamSid(SID))) == {"event": "clear", "streamSid": SID}
