"""Media Streams wire translator: Twilio's JSON text frames ↔ typed messages.

Pure functions, no I/O. Inbound messages as Twilio sends them::

    {"event":"connected","protocol":"Call","version":"1.0.0"}
    {"event":"start","sequenceNumber":"1","streamSid":"MZ…","start":{"accountSid":"AC…",
     "streamSid":"MZ…","callSid":"CA…","tracks":["inbound"],"customParameters":{…},
     "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}
    {"event":"media","sequenceNumber":"2","streamSid":"MZ…",
     "media":{"track":"inbound","chunk":"1","timestamp":"20","payload":"//////…"}}
    {"event":"dtmf","streamSid":"MZ…","sequenceNumber":"57","dtmf":{"track":"inbound_track","digit":"1"}}
    {"event":"mark","sequenceNumber":"80","streamSid":"MZ…","mark":{"name":"prompt-3"}}
    {"event":"stop","sequenceNumber":"120","streamSid":"MZ…","stop":{"accountSid":"AC…","callSid":"CA…"}}

Note ``sequenceNumber``, ``chunk`` and ``timestamp`` are strings on the wire.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ivr.types import CallSid, DtmfKey, StreamSid


class StreamProtocolError(ValueError):
    """A message that does not follow the Media Streams protocol."""


@dataclass(frozen=True)
class Connected:
    """First message on the socket."""

    protocol: str


@dataclass(frozen=True)
class Start:
    """Stream metadata; arrives once, before any media."""

    stream_sid: StreamSid
    call_sid: CallSid
    account_sid: str
    tracks: tuple[str, ...]
    custom_parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Media:
    """One chunk of caller audio (μ-law, 8 kHz; normally 160 bytes = 20 ms)."""

    stream_sid: StreamSid
    payload: bytes
    timestamp_ms: int
    chunk: int
    track: str


@dataclass(frozen=True)
class Dtmf:
    """A key the caller pressed."""

    stream_sid: StreamSid
    digit: DtmfKey


@dataclass(frozen=True)
class Mark:
    """Twilio finished playing the audio queued before the mark of this name."""

    stream_sid: StreamSid
    name: str


@dataclass(frozen=True)
class Stop:
    """The stream ended (hang-up or a REST redirect); the socket closes next."""

    stream_sid: StreamSid
    call_sid: CallSid | None


Inbound = Connected | Start | Media | Dtmf | Mark | Stop


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StreamProtocolError(f"{what} must be a JSON object")
    return value


def _str(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise StreamProtocolError(f"{what}.{key} must be a non-empty string")
    return value


def _int_str(obj: dict[str, Any], key: str, what: str, default: int) -> int:
    value = obj.get(key)
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StreamProtocolError(f"{what}.{key} must be an integer string") from None


def parse_message(text: str | bytes) -> Inbound | None:
    """Parse one text frame. Returns ``None`` for events this app does not use.

    Raises :class:`StreamProtocolError` for invalid JSON or a malformed known event.
    """
    try:
        msg = _obj(json.loads(text), "message")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StreamProtocolError(f"not JSON: {exc.msg if hasattr(exc, 'msg') else exc}") from None
    except RecursionError:
        # ``[[[[…`` nested deeper than the parser recurses: no Twilio message is.
        raise StreamProtocolError("JSON nested too deeply") from None
    event = msg.get("event")
    if not isinstance(event, str):
        raise StreamProtocolError("message has no 'event'")
    parse = _PARSERS.get(event)
    return parse(msg) if parse is not None else None


def _connected(msg: dict[str, Any]) -> Connected:
    return Connected(protocol=str(msg.get("protocol", "")))


def _start(msg: dict[str, Any]) -> Start:
    start = _obj(msg.get("start"), "start")
    params = start.get("customParameters") or {}
    if not isinstance(params, dict):
        raise StreamProtocolError("start.customParameters must be an object")
    tracks = start.get("tracks") or ["inbound"]
    if not isinstance(tracks, list):
        raise StreamProtocolError("start.tracks must be a list")
    return Start(
        stream_sid=StreamSid(_str(start, "streamSid", "start")),
        call_sid=CallSid(_str(start, "callSid", "start")),
        account_sid=str(start.get("accountSid", "")),
        tracks=tuple(str(t) for t in tracks),
        custom_parameters={str(k): str(v) for k, v in params.items()},
    )


def _media(msg: dict[str, Any]) -> Media:
    media = _obj(msg.get("media"), "media")
    raw = media.get("payload")
    if not isinstance(raw, str):
        raise StreamProtocolError("media.payload must be a base64 string")
    try:
        payload = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise StreamProtocolError("media.payload is not valid base64") from None
    return Media(
        stream_sid=_stream_sid(msg),
        payload=payload,
        timestamp_ms=_int_str(media, "timestamp", "media", 0),
        chunk=_int_str(media, "chunk", "media", 0),
        track=str(media.get("track", "inbound")),
    )


def _dtmf(msg: dict[str, Any]) -> Dtmf:
    digit = _obj(msg.get("dtmf"), "dtmf").get("digit")
    try:
        key = DtmfKey(str(digit))
    except ValueError:
        raise StreamProtocolError(f"dtmf.digit {digit!r} is not a keypad key") from None
    return Dtmf(stream_sid=_stream_sid(msg), digit=key)


def _mark(msg: dict[str, Any]) -> Mark:
    mark = _obj(msg.get("mark"), "mark")
    return Mark(stream_sid=_stream_sid(msg), name=_str(mark, "name", "mark"))


def _stop(msg: dict[str, Any]) -> Stop:
    stop = msg.get("stop")
    call_sid = stop.get("callSid") if isinstance(stop, dict) else None
    return Stop(
        stream_sid=_stream_sid(msg),
        call_sid=CallSid(call_sid) if isinstance(call_sid, str) else None,
    )


def _stream_sid(msg: dict[str, Any]) -> StreamSid:
    return StreamSid(str(msg.get("streamSid", "")))


_PARSERS: dict[str, Callable[[dict[str, Any]], Inbound]] = {
    "connected": _connected,
    "start": _start,
    "media": _media,
    "dtmf": _dtmf,
    "mark": _mark,
    "stop": _stop,
}
"""The events this app reads; any other (Twilio adds some over time) is ignored."""


def media_message(stream_sid: StreamSid, ulaw: bytes) -> str:
    """Outbound audio: raw μ-law, base64, no file header."""
    payload = base64.b64encode(ulaw).decode("ascii")
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: StreamSid, name: str) -> str:
    """Ask Twilio to echo ``name`` once everything queued before it has played."""
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: StreamSid) -> str:
    """Drop Twilio's queued audio (barge-in); pending marks come back right after."""
    return json.dumps({"event": "clear", "streamSid": stream_sid})
