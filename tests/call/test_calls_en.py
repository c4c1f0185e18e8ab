"""Whole calls through Twilio's real protocol against the running app.

Signed webhooks, WebSocket JSON frames, μ-law audio of speech synthesized at test time by
pyttsx3, the PocketSphinx recognizer with the shipped English grammars, the demo store.
Calls are paced three times faster than real time (the server's timers run on stream
time, so nothing else changes); one test runs at real-time pace.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ivr.sim.caller import CallResult, Step
from ivr.store.views import CallRecord
from tests.conftest import LiveServer
from tests.leaks import shows
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

ADA = "+14155550100"
ALAN = "+14155550101"
UNKNOWN = "+14155550199"
FAST = 3.0


def said(result: CallResult) -> list[str]:
    """Texts of the prompts the caller heard, in order."""
    assert result.record is not None, "the call left no record"
    texts = {p["mark"]: p["text"] for p in result.record["prompts"]}
    return [texts.get(p.mark, "?") for p in result.prompts]


def turns(result: CallResult) -> list[dict[str, Any]]:
    assert result.record is not None
    found: list[dict[str, Any]] = result.record["turns"]
    return found


def call(server: LiveServer, caller: str, *steps: Step, **overrides: object) -> CallResult:
    overrides.setdefault("speed", FAST)
    return server.call(*steps, caller=caller, **overrides)


def test_call_balance_by_voice_then_pin_hears_both_balances(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("say", "what is my balance"), Step("dtmf", "2468"))
    heard = " ".join(said(result))
    assert "checking account ending in 1 2 3 4" in heard
    assert "two thousand five hundred seventeen dollars and forty-three cents" in heard
    assert "savings account ending in 9 8 7 6" in heard
    assert "ten thousand two hundred fifty dollars" in heard
    first = turns(result)[0]
    assert (first["menu"], first["input"], first["intent"]) == ("main", "speech", "balance")
    assert result.record is not None and result.record["verified"] is True


def test_call_balance_by_keys_only_hears_both_balances(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("dtmf", "1"), Step("dtmf", "2468"), Step("dtmf", "2"))
    heard = " ".join(said(result))
    assert "two thousand five hundred seventeen dollars and forty-three cents" in heard
    assert "ten thousand two hundred fifty dollars" in heard
    assert [t["input"] for t in turns(result)] == ["keys", "keys", "keys"]
    assert result.after_stream_twiml.count("<Hangup") == 1
    assert result.record is not None and result.record["status"] == "completed"


def test_call_pin_never_appears_in_the_record(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("dtmf", "1"), Step("dtmf", "2468"))
    pin_turns = [t for t in turns(result) if t["menu"] == "pin"]
    assert pin_turns and all(t["transcript"] == "****" for t in pin_turns)
    assert not shows("2468", repr(result.record))


def test_call_policy_by_keys_active_policy_is_read(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("dtmf", "2"), Step("dtmf", "2468"))
    heard = " ".join(said(result))
    assert "auto policy" in heard.lower()
    assert "active" in heard
    assert "ninety-six dollars and fifty cents" in heard
    assert "December 15th, 2026" in heard


def test_call_policy_by_keys_lapsed_policy_says_so(live_server: LiveServer) -> None:
    result = call(live_server, ALAN, Step("dtmf", "2"), Step("dtmf", "1357"))
    heard = " ".join(said(result)).lower()
    assert "home policy" in heard
    assert "lapsed" in heard


def test_call_policy_by_voice_is_answered(live_server: LiveServer) -> None:
    result = call(live_server, ALAN, Step("say", "my insurance policy"), Step("dtmf", "1357"))
    first = turns(result)[0]
    assert first["intent"] == "policy", first
    assert "lapsed" in " ".join(said(result)).lower()


def test_call_unknown_caller_verifies_with_account_number_and_pin(live_server: LiveServer) -> None:
    result = call(
        live_server, UNKNOWN, Step("dtmf", "1"), Step("dtmf", "000055555555#"), Step("dtmf", "1357")
    )
    heard = " ".join(said(result))
    assert "account number" in heard
    assert "forty-two dollars and seventeen cents" in heard
    acct = [t for t in turns(result) if t["menu"] == "account_number"]
    assert acct and "00005555" not in acct[0]["transcript"]


def test_call_asking_for_a_person_is_transferred_with_a_whisper(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("say", "I want to talk to a person"))
    assert (
        "<Dial" in result.after_stream_twiml
        and 'answerOnBridge="true"' in result.after_stream_twiml
    )
    assert "/twilio/whisper" in result.after_stream_twiml
    assert "asked for an agent" in result.whisper_twiml
    assert result.record is not None and result.record["transfer"]["reason"] == "caller_request"


def test_call_pressing_zero_is_transferred(live_server: LiveServer) -> None:
    result = call(live_server, ALAN, Step("dtmf", "0"))
    assert "<Dial" in result.after_stream_twiml
    assert "asked for an agent" in result.whisper_twiml
    # The caller was identified by caller ID but never verified: the agent hears the number.
    assert "Unverified caller from 1 4 1 5 5 5 5 0 1 0 1" in result.whisper_twiml


def test_call_two_no_matches_in_a_row_are_transferred(live_server: LiveServer) -> None:
    result = call(
        live_server,
        ADA,
        Step("say", "the weather is nice today"),
        Step("say", "the weather is nice today"),
    )
    outcomes = [t["outcome"] for t in turns(result)]
    assert outcomes[:2] == ["no_match", "no_match"], outcomes
    assert "<Dial" in result.after_stream_twiml
    assert "not understood" in result.whisper_twiml
    # After the first failure the caller heard the clearer reprompt.
    assert any(text.startswith("Sorry, I didn't get that") for text in said(result))


def test_call_lost_card_goes_straight_to_an_agent_flagged_urgent(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("say", "I lost my card"))
    assert result.record is not None
    transfer = result.record["transfer"]
    assert transfer["reason"] == "lost_card" and transfer["urgent"] is True
    assert result.whisper_twiml.count("Urgent") == 1


def test_call_fraud_by_voice_goes_straight_to_an_agent_flagged_urgent(
    live_server: LiveServer,
) -> None:
    result = call(live_server, ADA, Step("say", "I think there's fraud on my account"))
    assert result.record is not None
    transfer = result.record["transfer"]
    assert transfer["reason"] == "fraud" and transfer["urgent"] is True
    assert result.whisper_twiml.count("Urgent") == 1
    assert "reported suspected fraud" in result.whisper_twiml
    heard = " ".join(said(result))
    # Not verified yet: nothing is promised about the account.
    assert "An agent will look into it with you" in heard and "freeze" not in heard


def test_call_fraud_by_key_after_verifying_is_told_the_agent_can_freeze_the_card(
    live_server: LiveServer,
) -> None:
    # Balance (verified by PIN), "anything else?" yes, then 4 for fraud at the main menu.
    steps = (Step("dtmf", "1"), Step("dtmf", "2468"), Step("dtmf", "1"), Step("dtmf", "4"))
    result = call(live_server, ADA, *steps)
    assert result.record is not None
    assert result.record["transfer"]["reason"] == "fraud"
    assert [t["intent"] for t in turns(result)][-1] == "fraud"
    assert "The agent can freeze your card" in said(result)[-1]
    assert "Urgent. Verified caller Ada Lovelace reported suspected fraud." in result.whisper_twiml


def test_call_angry_caller_reaches_an_agent_at_once_and_the_agent_hears_why(
    live_server: LiveServer,
) -> None:
    result = call(live_server, ADA, Step("say", "This is ridiculous, nothing works"))
    assert result.record is not None
    assert result.record["transfer"]["reason"] == "frustrated"
    assert [t["outcome"] for t in turns(result)] == ["escalated"]
    assert "sounded frustrated" in result.whisper_twiml
    assert "ridiculous" in result.whisper_twiml
    assert said(result)[-1].startswith("I'm sorry for the trouble.")


def test_call_zero_pressed_twice_at_the_pin_prompt_reaches_an_agent(
    live_server: LiveServer,
) -> None:
    result = call(live_server, ADA, Step("dtmf", "1"), Step("dtmf", "0"), Step("dtmf", "0"))
    assert result.record is not None
    assert result.record["transfer"]["reason"] == "frustrated"
    assert "pressed 0 at a number prompt 2 times" in result.whisper_twiml


def test_call_unanswered_agent_line_offers_a_callback(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("dtmf", "0"), agent_answers="no-answer")
    assert "<Gather" in result.dial_outcome_twiml
    assert "press 2" in result.dial_outcome_twiml
    assert "call you back" in result.log[-1] or any("call you back" in line for line in result.log)
    assert result.record is not None
    assert result.record["transfer"]["dial_status"] == "callback-requested"


def test_call_unanswered_agent_line_silent_caller_gets_the_documented_callback(
    live_server: LiveServer,
) -> None:
    # The caller presses nothing at the voicemail/callback offer: Twilio follows the
    # <Redirect ...?Digits=2> after the <Gather>, and a callback is what the caller gets.
    result = call(
        live_server, ADA, Step("dtmf", "0"), agent_answers="no-answer", unavailable_choice=""
    )
    assert "<Redirect" in result.dial_outcome_twiml
    assert "call you back" in result.choice_twiml
    assert result.record is not None
    assert result.record["transfer"]["dial_status"] == "callback-requested"


def test_call_silent_caller_is_reprompted_then_transferred(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("wait", "8"), Step("wait", "8"), Step("wait", "8"))
    outcomes = [t["outcome"] for t in turns(result)]
    assert outcomes[:2] == ["no_input", "no_input"], outcomes
    assert "<Dial" in result.after_stream_twiml


def test_call_at_real_time_pace_answers_within_the_call(live_server: LiveServer) -> None:
    result = call(live_server, ADA, Step("say", "goodbye"), speed=1.0)
    assert turns(result)[0]["intent"] == "goodbye"
    assert re.search(r"Goodbye", " ".join(said(result)))
    assert result.closed_by == "server"
    assert result.first_audio_ms is not None


def test_call_caller_hanging_up_leaves_an_abandoned_record_and_no_transfer(
    live_server: LiveServer,
) -> None:

    from tests.web.test_twilio_routes import post_signed, voice_form

    result = call(live_server, ADA, Step("hangup"))
    assert result.closed_by == "caller"

    # The server records the hang-up as it processes the stop; wait for it.
    def ended() -> CallRecord | None:
        record = live_server.services.store.get_call(result.call_sid)
        return record if record is not None and record["status"] != "in-progress" else None

    record = wait_until(ended, "the hang-up to be recorded")
    assert record["status"] == "abandoned"
    assert record["transfer"] is None
    # Should Twilio still ask what follows the stream, the answer is to hang up.
    after = post_signed(live_server, "/twilio/stream-ended", voice_form(result.call_sid))
    assert "<Hangup" in after.text and "<Dial" not in after.text
