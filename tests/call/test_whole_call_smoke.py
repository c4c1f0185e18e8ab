"""Whole calls through the real protocol against the running app (PocketSphinx)."""

from __future__ import annotations

from ivr.sim.caller import Step
from tests.conftest import LiveServer


def test_call_main_menu_by_voice_is_recognized(live_server: LiveServer) -> None:
    result = live_server.call(Step("say", "main menu"), Step("dtmf", "0"))
    assert result.prompts, "the caller heard no prompt"
    assert result.record is not None
    turns = result.record["turns"]
    assert turns[0]["menu"] == "main"
    assert turns[0]["intent"] == "main_menu"
    assert "<Dial" in result.after_stream_twiml
