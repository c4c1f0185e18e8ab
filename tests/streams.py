"""Raw Media Streams clients, for tests that send what no simulated caller would: floods,
a second stream for a live call, sockets that never start.

They do what Twilio does up to the point a test departs from it: a signed voice webhook,
the ``<Stream>`` URL and ``<Parameter>`` values from its TwiML, a signed upgrade, then
``connected`` and ``start`` with those parameters as ``customParameters``.
"""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from ivr.sim.caller import ACCOUNT_SID, new_call_sid
from ivr.twilio.signature import sign
from tests.conftest import AUTH_TOKEN


@dataclass(frozen=True)
class AnsweredCall:
    """A call the server answered: where its stream goes and with which parameters."""

    call_sid: str
    stream_url: str
    parameters: dict[str, str]

    @property
    def stream_sid(self) -> str:
        return "MZ" + self.call_sid[2:]


def voice_form(call_sid: str, caller: str = "+14155550100") -> dict[str, str]:
    """The voice webhook's form, as Twilio posts it for an inbound call."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": caller,
        "To": "+15005550006",
    }


def post_webhook(
    base_url: str, public_url: str, path: str, form: dict[str, str], token: str = AUTH_TOKEN
) -> httpx.Response:
    """POST a webhook signed over the public URL, as Twilio would."""
    signature = sign(token, public_url + path, form)
    return httpx.post(base_url + path, data=form, headers={"X-Twilio-Signature": signature})


def answer(
    base_url: str, public_url: str, call_sid: str | None = None, caller: str = "+14155550100"
) -> AnsweredCall:
    """Place a call: the voice webhook, and the stream target its TwiML names."""
    sid = call_sid or new_call_sid()
    response = post_webhook(base_url, public_url, "/twilio/voice", voice_form(sid, caller))
    response.raise_for_status()
    stream = ET.fromstring(response.text).find("Connect/Stream")
    assert stream is not None, response.text
    params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
    return AnsweredCall(sid, stream.get("url", ""), params)


async def connect(base_url: str, media_url: str) -> ClientConnection:
    """Open the media WebSocket with an upgrade signed over ``media_url`` (as Twilio)."""
    url = base_url.replace("http", "ws", 1) + "/twilio/media"
    headers = {"X-Twilio-Signature": sign(AUTH_TOKEN, media_url, {})}
    return await websockets.connect(url, additional_headers=headers, max_size=2**22)


def start_message(call: AnsweredCall, parameters: dict[str, str] | None = None) -> str:
    """``start`` for ``call``; ``parameters`` default to the ones its TwiML gave."""
    custom = call.parameters if parameters is None else parameters
    start: dict[str, Any] = {
        "accountSid": ACCOUNT_SID,
        "streamSid": call.stream_sid,
        "callSid": call.call_sid,
        "tracks": ["inbound"],
        "customParameters": custom,
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
    }
    return json.dumps(
        {"event": "start", "sequenceNumber": "1", "streamSid": call.stream_sid, "start": start}
    )


def connected_message() -> str:
    return json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})


def dtmf_message(stream_sid: str, digit: str, seq: int = 2) -> str:
    return json.dumps(
        {
            "event": "dtmf",
            "streamSid": stream_sid,
            "sequenceNumber": str(seq),
            "dtmf": {"track": "inbound_track", "digit": digit},
        }
    )


async def read_until_closed(ws: ClientConnection, timeout_s: float) -> list[dict[str, Any]]:
    """Every message until the server closes the socket; raises TimeoutError when a read
    waits longer than ``timeout_s`` (the server kept the stream open)."""
    received: list[dict[str, Any]] = []
    try:
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout=timeout_s)
            received.append(json.loads(raw))
    except websockets.ConnectionClosed:
        return received
