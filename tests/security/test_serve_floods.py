"""One socket's flood does not freeze the server: a real ``ivr serve`` process receives
sixteen thousand ``dtmf`` frames on one live call while ``/healthz`` is polled."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from pathlib import Path

import httpx
import pytest
import websockets

from ivr.types import FRAME_BYTES
from tests.serve_process import CLEAN_EXITS, ServeProcess, serve
from tests.streams import (
    AnsweredCall,
    answer,
    connect,
    connected_message,
    dtmf_message,
    post_webhook,
    read_until_closed,
    start_message,
    voice_form,
)

pytestmark = pytest.mark.slow

SILENCE = base64.b64encode(b"\xff" * FRAME_BYTES).decode("ascii")
CLOSE_WAIT_S = 30.0
"""How long the test waits for the server to close a flooded stream. Not a latency
requirement: a server that ignores floods keeps the stream open for ever."""


class HealthPoller(threading.Thread):
    """Polls ``/healthz`` from its own thread until stopped; keeps every outcome."""

    def __init__(self, base_url: str) -> None:
        super().__init__(daemon=True)
        self.url = base_url + "/healthz"
        self.codes: list[int] = []
        self.errors: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=CLOSE_WAIT_S) as client:
            while not self.done.is_set():
                try:
                    self.codes.append(client.get(self.url).status_code)
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                self.done.wait(0.05)


def media_message(stream_sid: str, seq: int) -> str:
    return json.dumps(
        {
            "event": "media",
            "streamSid": stream_sid,
            "sequenceNumber": str(seq),
            "media": {"track": "inbound", "chunk": str(seq), "timestamp": "0", "payload": SILENCE},
        }
    )


async def flood(server: ServeProcess, call: AnsweredCall, media_per_key: int) -> dict[str, object]:
    """Start ``call``'s stream, wait for the greeting, then send 16,000 keys as fast as the
    socket takes them (each after ``media_per_key`` frames of silence); report how it ended."""
    media_url = server.env["IVR_PUBLIC_URL"].replace("http", "ws", 1) + "/twilio/media"
    ws = await connect(server.base_url, media_url)
    await ws.send(connected_message())
    await ws.send(start_message(call))
    first = json.loads(await asyncio.wait_for(ws.recv(), timeout=CLOSE_WAIT_S))
    assert first["event"] == "media", first  # the greeting plays: the call is under way
    sent, seq = 0, 2
    try:
        for _ in range(16_000):
            for _ in range(media_per_key):
                seq += 1
                await ws.send(media_message(call.stream_sid, seq))
            seq += 1
            await ws.send(dtmf_message(call.stream_sid, "5", seq))
            sent += 1
    except websockets.ConnectionClosed:
        pass
    received = await read_until_closed(ws, timeout_s=CLOSE_WAIT_S)
    return {"sent": sent, "close": ws.close_code, "received": received}


@pytest.mark.parametrize(
    "media_per_key",
    [0, 6],
    ids=["keys-only-stream-time-stands-still", "keys-with-audio-faster-than-real-time"],
)
def test_serve_keypad_flood_ends_that_stream_while_healthz_answers(
    tmp_path: Path, prompt_audio_dir: Path, media_per_key: int
) -> None:
    with serve(tmp_path, prompt_audio_dir) as server:
        public = server.env["IVR_PUBLIC_URL"]
        call = answer(server.base_url, public)
        poller = HealthPoller(server.base_url)
        poller.start()
        try:
            outcome = asyncio.run(flood(server, call, media_per_key))
        finally:
            polls_during_flood = len(poller.codes)
            poller.done.set()
            poller.join()
        # The server ended the flooded stream itself (a normal close, not a crash) ...
        assert outcome["close"] == 1000, outcome["close"]
        # ... and /healthz kept answering throughout: every poll got its 200.
        assert poller.errors == []
        assert polls_during_flood >= 1 and set(poller.codes) == {200}
        # The flooded caller still reaches a person: with an apology for the broken
        # stream, or — when the keys the rate let through had already failed the menu
        # twice — by the dialog's own transfer, recorded before the flood was detected.
        after = post_webhook(
            server.base_url, public, "/twilio/stream-ended", voice_form(call.call_sid)
        )
        assert after.status_code == 200 and "<Dial" in after.text
        # And the process still stops on SIGTERM.
        assert server.stop() in CLEAN_EXITS
    assert "ending stream: protocol error: keypad flood" in server.output()
