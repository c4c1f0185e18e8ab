"""Barge-in: caller speech or a key during a prompt stops it; a noise burst does not."""

from __future__ import annotations

import pytest

from ivr.sim.caller import Step
from tests.conftest import LiveServer

pytestmark = pytest.mark.slow


def test_barge_in_speech_during_greeting_clears_it_and_is_taken_as_input(
    live_server: LiveServer,
) -> None:
    result = live_server.call(
        Step("say", "I want to talk to a person", barge_in=True), caller="+14155550100", speed=3.0
    )
    assert result.clears >= 1
    assert any(p.interrupted for p in result.prompts)
    assert result.record is not None
    first = result.record["turns"][0]
    assert (first["menu"], first["intent"]) == ("main", "agent"), first
    assert "<Dial" in result.after_stream_twiml


def test_barge_in_key_during_greeting_clears_it(live_server: LiveServer) -> None:
    result = live_server.call(Step("dtmf", "0", barge_in=True), speed=3.0)
    assert result.clears >= 1
    assert result.record is not None
    assert result.record["turns"][0]["input"] == "keys"
    assert result.record["transfer"]["reason"] == "caller_request"


def test_barge_in_short_noise_burst_does_not_stop_the_prompt(live_server: LiveServer) -> None:
    result = live_server.call(Step("noise", "0.08", barge_in=True), Step("dtmf", "0"), speed=3.0)
    assert result.clears == 0
    assert not any(p.interrupted for p in result.prompts)
    assert result.record is not None
    # The burst was not taken as a turn; the key press was the first input.
    assert result.record["turns"][0]["input"] == "keys"
