"""The frustration flag: repeated agent requests, repeated failures, words of anger."""

from __future__ import annotations

from typing import Any

from ivr.dialog.anger import ANGER_WORDS, anger_words
from ivr.web.agent.frustration import AGENT_REQUESTS, FAILED_TURNS, assess


def turn(
    transcript: str = "", intent: str | None = None, outcome: str = "matched", menu: str = "main"
) -> dict[str, Any]:
    return {"menu": menu, "transcript": transcript, "intent": intent, "outcome": outcome}


def test_frustration_calm_call_not_flagged() -> None:
    calm = [turn("what is my balance", "balance"), turn("****", "digits", menu="pin")]
    result = assess(calm)
    assert not result.flagged and result.reasons == ()


def test_frustration_no_turns_not_flagged() -> None:
    assert not assess([]).flagged


def test_frustration_repeated_agent_requests_flagged() -> None:
    turns = [turn("agent", "agent")] * AGENT_REQUESTS
    result = assess(turns)
    assert result.flagged
    assert result.reasons == (f"asked for an agent {AGENT_REQUESTS} times",)


def test_frustration_single_agent_request_not_flagged() -> None:
    assert not assess([turn("agent", "agent")]).flagged


def test_frustration_confirming_an_agent_request_counts_once() -> None:
    # "Did you say an agent?" — "yes": one request, not two.
    turns = [
        turn("agent", "agent", "needs_confirmation"),
        turn("yes", "agent", "confirmed", menu="confirm"),
    ]
    assert not assess(turns).flagged


def test_frustration_repeated_no_match_and_no_input_flagged() -> None:
    turns = [turn("", None, "no_match"), turn("", None, "no_input")]
    assert FAILED_TURNS == 2
    result = assess(turns)
    assert result.flagged
    assert result.reasons == ("not understood or silent 2 times",)


def test_frustration_single_failure_not_flagged() -> None:
    assert not assess([turn("", None, "no_match"), turn("balance", "balance")]).flagged


def test_frustration_anger_word_flagged_and_named() -> None:
    result = assess([turn("this is ridiculous", None, "no_match")])
    assert result.flagged
    assert result.reasons == ("said: “ridiculous”",)


def test_frustration_all_rules_give_all_reasons() -> None:
    turns = [
        turn("useless machine agent", "agent"),
        turn("", None, "no_input"),
        turn("agent", "agent"),
        turn("", None, "no_match"),
    ]
    reasons = assess(turns).reasons
    assert len(reasons) == 3
    assert "useless" in reasons[2]


def test_frustration_masked_pin_is_not_words() -> None:
    assert not assess([turn("****", "digits", "wrong_pin", menu="pin")]).flagged


def test_anger_words_whole_words_only_case_insensitive() -> None:
    assert anger_words("Hello, I need my SHELL account") == []
    assert anger_words("I HATE this, I really hate it") == ["hate"]


def test_anger_words_phrases_found() -> None:
    assert anger_words("I am fed up and sick of waiting") == ["fed up", "sick of"]
    assert anger_words("fedup") == []


def test_anger_word_list_is_lower_case_single_words() -> None:
    assert all(w == w.lower() and " " not in w for w in ANGER_WORDS)


def test_anger_words_live_leaves_out_words_calm_callers_use_too() -> None:
    assert anger_words("tell me a joke", live=True) == []
    assert anger_words("I hate to bother you, what's my balance", live=True) == []
    assert anger_words("this is ridiculous, I'm fed up", live=True) == ["ridiculous", "fed up"]
    assert anger_words("tell me a joke") == ["joke"]  # the desk's flag still counts it
