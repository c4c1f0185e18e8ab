"""The hotline tells the desk about transfers: from the call session and from the
technical-error path of ``/twilio/stream-ended``; a broken listener never costs a caller
their transfer."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ivr.desk.feed import DeskEvent
from ivr.sim.caller import Step, new_call_sid
from ivr.twilio.signature import sign
from tests.conftest import AUTH_TOKEN, LiveServer

WAIT_S = 60.0


def post_signed(server: LiveServer, path: str, form: dict[str, str]) -> httpx.Response:
    url = server.settings.public_url + path
    signature = sign(AUTH_TOKEN, url, form)
    return httpx.post(server.base_url + path, data=form, headers={"X-Twilio-Signature": signature})


def test_stream_ended_without_a_dialog_transfer_publishes_technical_transfer(
    live_server: LiveServer,
) -> None:
    sid = new_call_sid()
    form = {"CallSid": sid, "From": "+14155550100", "To": "+15005550006"}

    async def scenario() -> DeskEvent | None:
        async with live_server.services.feed.subscribe() as sub:
            await asyncio.to_thread(post_signed, live_server, "/twilio/voice", form)
            response = await asyncio.to_thread(
                post_signed, live_server, "/twilio/stream-ended", form
            )
            assert "<Dial" in response.text
            while True:  # other tests' calls may publish meanwhile
                event = await sub.get(WAIT_S)
                if event is None or event.call_sid == sid:
                    return event

    assert asyncio.run(scenario()) == DeskEvent("transfer", sid)
    record = live_server.services.store.get_call(sid)
    assert record is not None and record["transfer"] is not None
    assert record["transfer"]["reason"] == "technical_error"


@pytest.mark.slow
def test_call_session_publishes_its_transfer(live_server: LiveServer) -> None:
    sid = new_call_sid()

    async def scenario() -> DeskEvent | None:
        async with live_server.services.feed.subscribe() as sub:
            sim = live_server.simulator(caller="+14155550101", speed=3.0)
            call = asyncio.create_task(sim.place_call([Step("dtmf", "0")], call_sid=sid))
            while True:
                event = await sub.get(WAIT_S)
                if event is None or event.call_sid == sid:
                    await call
                    return event

    assert asyncio.run(scenario()) == DeskEvent("transfer", sid)


@pytest.mark.slow
def test_call_transfer_survives_a_failing_desk_listener(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(call_sid: str) -> None:
        raise RuntimeError("desk listener down")

    monkeypatch.setattr(live_server.services.feed, "transfer_recorded", broken)
    result = live_server.call(Step("dtmf", "0"), caller="+14155550101", speed=3.0)
    assert "<Dial" in result.after_stream_twiml
    assert result.record is not None and result.record["transfer"]["reason"] == "caller_request"
