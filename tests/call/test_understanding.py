"""Whole calls: callers are understood in their own words, and never acted on wrongly.

Real protocol, real speech (espeak-ng), both real recognizer passes (PocketSphinx with the
menu grammar, Whisper tiny.en free-form) and the shipped grammars.
"""

from __future__ import annotations

from typing import Any

import pytest

from ivr.grammar import compile_grammar_set, load_grammar_dir
from ivr.sim.caller import CallResult, Step
from tests.conftest import ROOT, LiveServer

pytestmark = pytest.mark.slow

ADA = "+14155550100"
FAST = 3.0


def call(server: LiveServer, *steps: Step, **overrides: object) -> CallResult:
    overrides.setdefault("speed", FAST)
    overrides.setdefault("caller", ADA)
    return server.call(*steps, **overrides)


def turns(result: CallResult) -> list[dict[str, Any]]:
    assert result.record is not None, "the call left no record"
    found: list[dict[str, Any]] = result.record["turns"]
    return found


def prompts(result: CallResult) -> str:
    assert result.record is not None
    return " ".join(p["text"] for p in result.record["prompts"])


@pytest.mark.parametrize(
    "request_",
    [
        "can you tell me what the weather is like today",
        "I'd like to open a new savings account please",
        "what's your routing number",
    ],
)
def test_call_out_of_scope_request_at_the_main_menu_is_never_acted_on(
    live_server: LiveServer, request_: str
) -> None:
    result = call(live_server, Step("say", request_), Step("hangup"))
    first = turns(result)[0]
    assert (first["menu"], first["input"]) == ("main", "speech")
    assert first["intent"] is None and first["outcome"] == "no_match"
    # Nothing was started on the caller's behalf: no PIN asked, no transfer made.
    assert "PIN" not in prompts(result)
    assert result.record is not None and result.record["transfer"] is None


def test_call_paraphrase_covered_only_by_keywords_reaches_the_right_intent(
    live_server: LiveServer,
) -> None:
    sentence = "I need to speak with somebody about my account"
    main = compile_grammar_set(load_grammar_dir(ROOT / "grammars" / "en"))["main"]
    assert main.match(sentence) is None, "must not be a sentence of the grammar"
    spotted = main.understand(sentence)
    assert spotted is not None and spotted.how == "keyword" and spotted.intent == "agent"

    result = call(live_server, Step("say", sentence), Step("say", "yes"))
    first = turns(result)[0]
    assert first["intent"] == "agent"
    assert first["transcript"] == "i need to speak with somebody about my account"
    assert result.record is not None and result.record["transfer"]["reason"] == "caller_request"


def test_call_speech_that_is_not_a_pin_never_counts_as_a_wrong_pin(
    live_server: LiveServer,
) -> None:
    result = call(
        live_server,
        Step("say", "balance please"),
        Step("say", "I don't remember it, I think it's written on a card somewhere"),
        Step("dtmf", "2468"),
    )
    pin_turns = [t for t in turns(result) if t["menu"] == "pin"]
    assert [t["outcome"] for t in pin_turns] == ["no_match", "verified"]
    assert pin_turns[0]["transcript"] == "****"  # PIN-prompt speech is never stored
    assert "wrong_pin" not in [t["outcome"] for t in turns(result)]
    assert "keypad" in prompts(result)  # the reprompt asks for the keys
    assert result.record is not None and result.record["verified"] is True


def test_call_unsure_spoken_digits_lead_to_the_keypad_without_a_lockout_count(
    live_server: LiveServer,
) -> None:
    # A PIN said quickly on a very noisy line: the passes do not agree on the digits.
    result = call(
        live_server,
        Step("dtmf", "1"),
        Step("say", "two four six eight"),
        Step("dtmf", "2468"),
        rate=220,
        snr_db=3.0,
    )
    pin_turns = [t for t in turns(result) if t["menu"] == "pin"]
    assert [t["outcome"] for t in pin_turns] == ["no_match", "verified"]
    assert "Please enter it on your keypad" in prompts(result)
    assert result.record is not None and result.record["verified"] is True
