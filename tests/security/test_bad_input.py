"""Hostile and broken input at the running server: a 4xx with a clear message for HTTP,
an apology or a transfer for a caller — never a 5xx, never dead air, never a crash."""

from __future__ import annotations

import httpx
import pytest

from ivr.sim.caller import Step, new_call_sid
from ivr.twilio.signature import sign
from tests.conftest import AUTH_TOKEN, LiveServer
from tests.web.test_twilio_routes import post_signed

WEBHOOKS = [
    "/twilio/voice",
    "/twilio/stream-ended",
    "/twilio/dial-ended",
    "/twilio/status",
    "/twilio/unavailable-choice",
    "/twilio/message-recorded",
]


def signed_raw(server: LiveServer, path: str, body: bytes, content_type: str) -> httpx.Response:
    url = server.settings.public_url + path
    return httpx.post(
        server.base_url + path,
        content=body,
        headers={"Content-Type": content_type, "X-Twilio-Signature": sign(AUTH_TOKEN, url, {})},
    )


@pytest.mark.parametrize("path", WEBHOOKS)
def test_bad_input_webhook_without_call_sid_is_400_not_500(
    live_server: LiveServer, path: str
) -> None:
    response = post_signed(live_server, path, {"From": "+14155550100", "Extra": "x" * 100})
    assert response.status_code == 400, response.text
    assert "CallSid" in response.json()["detail"]


@pytest.mark.parametrize("path", WEBHOOKS)
def test_bad_input_webhook_with_wrong_types_is_4xx(live_server: LiveServer, path: str) -> None:
    form = {"CallSid": "CA" + "x" * 32, "DialCallStatus": "7", "Digits": "not-a-digit"}
    form["CallSid"] = new_call_sid()
    response = post_signed(live_server, path, form)
    assert response.status_code < 500, response.text


def test_bad_input_invalid_utf8_body_is_400(live_server: LiveServer) -> None:
    response = signed_raw(
        live_server,
        "/twilio/voice",
        b"CallSid=%FF%FE&From=\xff",
        "application/x-www-form-urlencoded",
    )
    assert response.status_code in (400, 403)
    assert response.json()["detail"]


def test_bad_input_json_body_is_415(live_server: LiveServer) -> None:
    response = signed_raw(live_server, "/twilio/voice", b'{"CallSid": "CA1"}', "application/json")
    assert response.status_code == 415
    assert "x-www-form-urlencoded" in response.json()["detail"]


def test_bad_input_declared_huge_body_is_413_before_reading(live_server: LiveServer) -> None:
    big = b"a=" + b"x" * (live_server.settings.max_form_bytes + 1)
    response = httpx.post(
        live_server.base_url + "/twilio/voice",
        content=big,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_bad_input_unknown_path_is_404_and_wrong_method_is_405(live_server: LiveServer) -> None:
    assert httpx.post(live_server.base_url + "/twilio/nope").status_code == 404
    assert httpx.get(live_server.base_url + "/twilio/voice").status_code == 405


@pytest.mark.slow
def test_bad_input_minutes_of_loud_noise_end_in_a_transfer(live_server: LiveServer) -> None:
    # A caller on a construction site: noise long enough to hit the utterance limit, twice.
    result = live_server.call(
        Step("noise", "13"), Step("noise", "13"), Step("noise", "13"), speed=4.0
    )
    assert result.closed_by == "server"
    assert "<Dial" in result.after_stream_twiml
    assert result.record is not None
    assert result.record["transfer"]["reason"] in ("no_match", "no_input", "too_many_failures")


@pytest.mark.slow
def test_bad_input_clipped_loud_speech_is_still_understood(live_server: LiveServer) -> None:
    # pyttsx3 volume is fixed, so clip by sending the same utterance via a hot WAV.
    import wave
    from pathlib import Path
    from tempfile import TemporaryDirectory

    import numpy as np

    speech = live_server.synth.synthesize("what is my balance", "gmw/en-us", 150)
    x = np.frombuffer(speech.pcm, dtype="<i2").astype(float) * 6
    clipped = np.clip(x, -32768, 32767).astype("<i2").tobytes()
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "hot.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(speech.rate)
            w.writeframes(clipped)
        result = live_server.call(Step("wav", str(path)), speed=3.0)
    assert result.record is not None
    first = result.record["turns"][0]
    assert first["input"] == "speech"
    # Heavily clipped audio may or may not be understood; it must never crash the call.
    assert first["outcome"] in ("matched", "no_match", "needs_confirmation")
    # The call went on: the server answered with its next prompt.
    assert len(result.prompts) >= 3
