"""One media stream per call, ever: a real ``ivr serve`` process refuses a second stream
for a live call — even one showing the call's secret — and any stream without it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from ivr.twilio import stream_secret
from tests.conftest import API_TOKEN
from tests.serve_process import ServeProcess, serve
from tests.streams import (
    AnsweredCall,
    answer,
    connect,
    connected_message,
    dtmf_message,
    read_until_closed,
    start_message,
)

pytestmark = pytest.mark.slow

REFUSAL_WAIT_S = 20.0
"""How long a refused socket may take to be closed (not a latency requirement)."""


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, prompt_audio_dir: Path
) -> Iterator[ServeProcess]:
    with serve(tmp_path_factory.mktemp("serve-streams"), prompt_audio_dir) as running:
        yield running


def media_url(server: ServeProcess) -> str:
    return server.env["IVR_PUBLIC_URL"].replace("http", "ws", 1) + "/twilio/media"


def call_record(server: ServeProcess, call_sid: str) -> dict[str, Any]:
    response = httpx.get(
        f"{server.base_url}/api/calls/{call_sid}",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    response.raise_for_status()
    record: dict[str, Any] = response.json()
    return record


async def intrude(
    server: ServeProcess, call: AnsweredCall, parameters: dict[str, str]
) -> list[dict[str, Any]]:
    """A second socket starts ``call`` with ``parameters`` and presses 0 (agent) and a PIN;
    returns what the server sent it before closing it."""
    ws = await connect(server.base_url, media_url(server))
    await ws.send(connected_message())
    await ws.send(start_message(call, parameters))
    try:
        for seq, key in enumerate("02468", start=3):
            await ws.send(dtmf_message(call.stream_sid, key, seq))
    except websockets.ConnectionClosed:
        pass
    return await read_until_closed(ws, timeout_s=REFUSAL_WAIT_S)


def test_serve_second_stream_with_the_right_secret_is_refused_and_the_call_goes_on(
    server: ServeProcess,
) -> None:
    call = answer(server.base_url, server.env["IVR_PUBLIC_URL"])

    async def scenario() -> tuple[list[dict[str, Any]], int]:
        victim = await connect(server.base_url, media_url(server))
        async with victim:
            await victim.send(connected_message())
            await victim.send(start_message(call))
            first = json.loads(await asyncio.wait_for(victim.recv(), timeout=REFUSAL_WAIT_S))
            assert first["event"] == "media"  # the victim hears the greeting
            # The intruder learned the CallSid and even the secret, and replays them.
            heard = await intrude(server, call, call.parameters)
            # The victim's stream is untouched: its greeting keeps coming.
            more = 0
            for _ in range(5):
                message = json.loads(await asyncio.wait_for(victim.recv(), timeout=REFUSAL_WAIT_S))
                more += message["event"] == "media"
        return heard, more

    heard, victim_audio = asyncio.run(scenario())
    assert heard == []  # not one prompt frame reached the intruder
    assert victim_audio >= 1
    record = call_record(server, call.call_sid)
    # The intruder's keys (0 for an agent, a PIN) are nowhere in the victim's call.
    assert record["turns"] == [] and record["transfer"] is None
    assert "stream refused: this call already has its media stream" in server.output()


@pytest.mark.parametrize(
    "parameters",
    [{}, {stream_secret.PARAMETER: "guessed-" + "x" * 40}],
    ids=["no-secret", "wrong-secret"],
)
def test_serve_stream_without_the_calls_secret_is_refused_and_does_not_burn_the_call(
    server: ServeProcess, parameters: dict[str, str]
) -> None:
    call = answer(server.base_url, server.env["IVR_PUBLIC_URL"])
    heard = asyncio.run(intrude(server, call, parameters))
    assert heard == []
    assert "stream refused: wrong or missing stream secret" in server.output()

    # Twilio's own stream, with the secret from the TwiML, still gets the call.
    async def legitimate() -> str:
        async with await connect(server.base_url, media_url(server)) as ws:
            await ws.send(connected_message())
            await ws.send(start_message(call))
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=REFUSAL_WAIT_S))
            return str(message["event"])

    assert asyncio.run(legitimate()) == "media"
