"""The Twilio-facing endpoints of the running app: signatures, bad input, clean endings."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from typing import Any

import httpx
import pytest
import websockets

from ivr.sim.caller import ACCOUNT_SID, new_call_sid
from ivr.twilio import stream_secret
from ivr.twilio.signature import sign
from tests.conftest import AUTH_TOKEN, LiveServer
from tests.streams import (
    AnsweredCall,
    answer,
    connect,
    connected_message,
    dtmf_message,
    read_until_closed,
    start_message,
)


def voice_form(call_sid: str, caller: str = "+14155550100") -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": caller,
        "To": "+15005550006",
    }


def post_signed(
    server: LiveServer, path: str, form: dict[str, str], token: str = AUTH_TOKEN
) -> httpx.Response:
    url = server.settings.public_url + path
    return httpx.post(
        server.base_url + path, data=form, headers={"X-Twilio-Signature": sign(token, url, form)}
    )


def test_voice_webhook_signed_answers_connect_stream(live_server: LiveServer) -> None:
    response = post_signed(live_server, "/twilio/voice", voice_form(new_call_sid()))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "<Connect action=" in response.text
    assert f'url="{live_server.settings.media_url}"' in response.text


def test_voice_webhook_missing_signature_is_403_without_call_state(live_server: LiveServer) -> None:
    sid = new_call_sid()
    response = httpx.post(live_server.base_url + "/twilio/voice", data=voice_form(sid))
    assert response.status_code == 403
    assert "X-Twilio-Signature" in response.json()["detail"]
    assert live_server.services.store.get_call(sid) is None


def test_voice_webhook_forged_signature_is_403(live_server: LiveServer) -> None:
    sid = new_call_sid()
    response = post_signed(live_server, "/twilio/voice", voice_form(sid), token="not-the-token")
    assert response.status_code == 403
    assert live_server.services.store.get_call(sid) is None


def test_voice_webhook_retry_with_same_call_sid_is_idempotent(live_server: LiveServer) -> None:
    sid = new_call_sid()
    first = post_signed(live_server, "/twilio/voice", voice_form(sid))
    second = post_signed(live_server, "/twilio/voice", voice_form(sid))
    assert first.status_code == second.status_code == 200
    # The same document but for the stream secret, fresh each time: Twilio acts on the
    # TwiML of the retry, so the retry's secret is the one the stream must show.
    secret = re.compile(rf'name="{stream_secret.PARAMETER}" value="[^"]+"')
    assert secret.sub("", first.text) == secret.sub("", second.text)
    assert secret.search(first.text) and first.text != second.text
    assert live_server.services.store.get_call(sid) is not None


@pytest.mark.parametrize(
    ("caller", "stored"),
    [
        ("+141555\u202e00105", "+14155500105"),
        ("+1415555\x000100", "+14155550100"),
        ("sip:+14155550100@ivr-trunk.example.pstn.us1.twilio.com", None),
        ("<b>" + "9" * 400, "invalid"),
    ],
    ids=["bidi-override", "nul-byte", "sip-uri", "junk"],
)
def test_voice_webhook_any_caller_id_is_recorded_normalised(
    live_server: LiveServer, caller: str, stored: str | None
) -> None:
    sid = new_call_sid()
    response = post_signed(live_server, "/twilio/voice", voice_form(sid, caller=caller))
    assert response.status_code == 200 and "<Connect" in response.text
    record = live_server.services.store.get_call(sid)
    assert record is not None and record["from"] == (stored or caller)


@pytest.mark.parametrize(
    "form",
    [
        {"From": "+14155550100"},
        {"CallSid": "not-a-call-sid"},
        {"CallSid": "CA" + "1" * 40},
    ],
)
def test_voice_webhook_malformed_call_sid_is_400_with_message(
    live_server: LiveServer, form: dict[str, str]
) -> None:
    response = post_signed(live_server, "/twilio/voice", form)
    assert response.status_code == 400
    assert "CallSid" in response.json()["detail"]


def test_voice_webhook_huge_body_is_413(live_server: LiveServer) -> None:
    form = voice_form(new_call_sid())
    form["Junk"] = "x" * (live_server.settings.max_form_bytes + 10)
    response = post_signed(live_server, "/twilio/voice", form)
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("path", "body_digits", "outcome"),
    [
        ("/twilio/unavailable-choice?Digits=2", None, "call you back"),
        ("/twilio/unavailable-choice", "2", "call you back"),
        ("/twilio/unavailable-choice", "1", "leave your message"),
        ("/twilio/unavailable-choice?Digits=2", "1", "leave your message"),
    ],
    ids=["redirect-fallback", "pressed-2", "pressed-1", "the-key-pressed-wins"],
)
def test_unavailable_choice_reads_digits_from_the_body_or_the_redirect_query(
    live_server: LiveServer, path: str, body_digits: str | None, outcome: str
) -> None:
    sid = new_call_sid()
    post_signed(live_server, "/twilio/voice", voice_form(sid))
    form = voice_form(sid)  # Twilio's standard parameters; Digits only after a key press
    if body_digits is not None:
        form["Digits"] = body_digits
    response = post_signed(live_server, path, form)
    assert response.status_code == 200
    assert outcome in response.text


def test_unavailable_choice_query_is_covered_by_the_signature(live_server: LiveServer) -> None:
    # Signed for the URL without the query, sent with ?Digits=2 added: refused.
    sid = new_call_sid()
    form = voice_form(sid)
    signature = sign(
        AUTH_TOKEN, live_server.settings.public_url + "/twilio/unavailable-choice", form
    )
    response = httpx.post(
        live_server.base_url + "/twilio/unavailable-choice?Digits=2",
        data=form,
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403


def test_every_twilio_endpoint_requires_a_signature(live_server: LiveServer) -> None:
    for path in [
        "/twilio/stream-ended",
        "/twilio/whisper",
        "/twilio/dial-ended",
        "/twilio/status",
        "/twilio/stream-status",
        "/twilio/unavailable-choice",
        "/twilio/message-recorded",
    ]:
        response = httpx.post(live_server.base_url + path, data=voice_form(new_call_sid()))
        assert response.status_code == 403, path


async def _ws_status(server: LiveServer, signature: str | None) -> int:
    url = server.base_url.replace("http", "ws") + "/twilio/media"
    headers = {"X-Twilio-Signature": signature} if signature else {}
    try:
        async with websockets.connect(url, additional_headers=headers):
            return 101
    except websockets.InvalidStatus as exc:
        return int(exc.response.status_code)


def test_media_upgrade_without_or_with_forged_signature_is_403(live_server: LiveServer) -> None:
    assert asyncio.run(_ws_status(live_server, None)) == 403
    forged = sign("not-the-token", live_server.settings.media_url, {})
    assert asyncio.run(_ws_status(live_server, forged)) == 403
    good = sign(AUTH_TOKEN, live_server.settings.media_url, {})
    assert asyncio.run(_ws_status(live_server, good)) == 101


async def _stream_then(
    server: LiveServer, messages: list[str | bytes], start: bool
) -> dict[str, Any]:
    """Open a signed stream, optionally start a call, send ``messages``; report how it ended."""
    sid = new_call_sid()
    received: list[dict[str, Any]] = []
    async with await connect(server.base_url, server.settings.media_url) as ws:
        await ws.send(connected_message())
        if start:
            # A stream belongs to a call whose webhook the server answered.
            call = await asyncio.to_thread(answer, server.base_url, server.settings.public_url, sid)
            await ws.send(start_message(call))
            # Let the greeting start so the call is really under way.
            received.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=20)))
        for message in messages:
            await ws.send(message)
        try:
            while True:
                raw = await asyncio.wait_for(ws.recv(), timeout=20)
                received.append(json.loads(raw))
        except websockets.ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
    return {"call_sid": sid, "received": received, "close_code": code}


OTHER_STREAM_MEDIA = json.dumps(
    {"event": "media", "streamSid": "MZ-other", "media": {"payload": "//8="}}
)
MEDIA = json.dumps(
    {
        "event": "media",
        "streamSid": "MZ1",
        "media": {"payload": base64.b64encode(b"\xff" * 160).decode()},
    }
)


@pytest.mark.parametrize(
    ("messages", "start"),
    [
        (["{not json"], True),
        ([json.dumps({"event": "media", "media": {"payload": "@@@"}})], True),
        ([b"\x00\x01binary"], True),
        ([MEDIA], False),
        (
            [json.dumps({"event": "media", "streamSid": "MZ-other", "media": {"payload": "//8="}})],
            True,
        ),
        (["[" * 60_000], True),
    ],
    ids=[
        "bad-json",
        "bad-base64",
        "binary-frame",
        "media-before-start",
        "wrong-stream-sid",
        "deeply-nested-json",
    ],
)
def test_malformed_stream_message_ends_that_call_cleanly(
    live_server: LiveServer,
    messages: list[str | bytes],
    start: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("WARNING", logger="ivr.call"):
        outcome = asyncio.run(_stream_then(live_server, messages, start))
    assert outcome["close_code"] == 1000  # the server closed the socket, cleanly
    assert any("ending stream" in r.getMessage() for r in caplog.records)
    if start:
        # The call that started has a record, and what follows the stream sends the caller
        # to a person with an apology instead of dead air.
        sid = outcome["call_sid"]
        assert live_server.services.store.get_call(sid) is not None
        form = voice_form(sid)
        after = post_signed(live_server, "/twilio/stream-ended", form)
        assert after.status_code == 200
        assert "technical problem" in after.text and "<Dial" in after.text


def test_malformed_stream_does_not_affect_another_call(live_server: LiveServer) -> None:
    async def good_call() -> int:
        call = await asyncio.to_thread(
            answer, live_server.base_url, live_server.settings.public_url
        )
        audio_bytes = 0
        async with await connect(live_server.base_url, live_server.settings.media_url) as ws:
            await ws.send(start_message(call))
            # A second call breaks the protocol while this one is playing its greeting.
            bad = asyncio.create_task(_stream_then(live_server, ["{not json"], True))
            while audio_bytes < 200 * 160:  # four seconds of prompt audio
                msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
                if msg.get("event") == "media":
                    audio_bytes += len(base64.b64decode(msg["media"]["payload"]))
            outcome = await bad
        assert outcome["close_code"] is not None
        return audio_bytes // 160

    assert asyncio.run(good_call()) >= 200


def test_stream_for_a_call_never_answered_is_refused(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def attempt() -> Any:
        sid = new_call_sid()
        unanswered = AnsweredCall(sid, live_server.settings.media_url, {})
        async with await connect(live_server.base_url, live_server.settings.media_url) as ws:
            await ws.send(start_message(unanswered))
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                    assert msg.get("event") != "media", "no audio for an unknown call"
        return sid

    with caplog.at_level("WARNING", logger="ivr.call"):
        sid = asyncio.run(attempt())
    assert any("never answered" in r.getMessage() for r in caplog.records)
    assert live_server.services.store.get_call(sid) is None


async def _keys_burst(server: LiveServer, keys: int, then: list[str]) -> dict[str, Any]:
    """Start a call, wait for its greeting, send ``keys`` dtmf frames at once (no audio)
    and then the ``then`` messages; read until the server closes the stream."""
    call = await asyncio.to_thread(answer, server.base_url, server.settings.public_url)
    ws = await connect(server.base_url, server.settings.media_url)
    async with ws:
        await ws.send(start_message(call))
        await asyncio.wait_for(ws.recv(), timeout=20)  # the greeting is playing
        for seq in range(keys):
            await ws.send(dtmf_message(call.stream_sid, "*", seq + 3))
        for message in then:
            await ws.send(message)
        # A stream the server keeps open shows as a TimeoutError (no message in 20 s).
        await read_until_closed(ws, timeout_s=20)
    return {"call_sid": call.call_sid, "close": ws.close_code}


def test_dtmf_burst_beyond_the_rate_is_ignored_not_a_flood(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="ivr.call"):
        # Messages are handled in order, so the broken one after the burst ends the stream
        # only once every key has been handled: then the log says what the keys did.
        asyncio.run(_keys_burst(live_server, 20, then=["{not json"]))
    messages = [r.getMessage() for r in caplog.records]
    assert any("DTMF flood, ignoring keys" in m for m in messages)
    assert not any("keypad flood" in m for m in messages)
    assert any("not JSON" in m for m in messages)


def test_dtmf_sustained_flood_ends_that_call_and_the_caller_reaches_a_person(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="ivr.call"):
        outcome = asyncio.run(_keys_burst(live_server, 500, then=[]))
    assert outcome["close"] == 1000
    assert any("keypad flood" in r.getMessage() for r in caplog.records)
    # An apology and an agent, or the dialog's own transfer when the keys let through had
    # already failed the menu twice: never a dead line.
    after = post_signed(live_server, "/twilio/stream-ended", voice_form(outcome["call_sid"]))
    assert "<Dial" in after.text
