"""Frustration during the call: anger, repeated agent requests and zeros at a number prompt
skip the rest of self-service; the agent is told why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Request, Transfer
from ivr.dialog.engine import step
from ivr.dialog.events import Heard, KeysEntered
from ivr.dialog.frustration import Signals, escalate, heard, keyed, shown
from ivr.dialog.policy import FrustrationLimits
from ivr.dialog.state import CallState

from .fakes import heard as hear
from .fakes import known_caller_at_main, texts, turns

LIMITS = FrustrationLimits()


def at_pin_prompt(ctx: DialogContext) -> CallState:
    state, _ = step(ctx, known_caller_at_main(ctx), KeysEntered("1"))
    assert state.menu == "pin"
    return state


def transfer_of(effects: Sequence[object]) -> Transfer:
    found = [e for e in effects if isinstance(e, Transfer)]
    assert len(found) == 1, effects
    return found[0]


# The rules, on their own.


def test_rules_one_angry_turn_is_enough_by_default() -> None:
    signals = heard(Signals(), "main", "this is ridiculous", None)
    assert (signals.angry_turns, signals.anger) == (1, ("ridiculous",))
    assert escalate(signals, LIMITS)
    assert shown(signals) == ("said: “ridiculous”",)


def test_rules_words_calm_callers_use_too_are_not_anger() -> None:
    signals = heard(Signals(), "main", "tell me a joke, I hate to ask", None)
    assert signals == Signals() and not escalate(signals, LIMITS)


def test_rules_second_agent_request_escalates_but_not_its_confirmation() -> None:
    once = heard(Signals(), "main", "agent", "agent")
    assert once.agent_requests == 1 and not escalate(once, LIMITS)
    assert heard(once, "confirm", "agent", "agent") == once
    assert escalate(keyed(once, "main", "0", "agent", number_prompt=False), LIMITS)


def test_rules_zeros_count_only_where_zero_is_not_the_agent_key_and_not_a_number() -> None:
    assert keyed(Signals(), "pin", "00", None, number_prompt=True).zero_presses == 2
    assert keyed(Signals(), "pin", "0000", "digits", number_prompt=True) == Signals()
    assert keyed(Signals(), "pin", "10", None, number_prompt=True) == Signals()


@pytest.mark.parametrize("rule", ["anger_turns", "agent_requests", "zero_presses"])
def test_rules_a_limit_of_zero_switches_its_rule_off(rule: str) -> None:
    signals = Signals(angry_turns=5, anger=("furious",), agent_requests=5, zero_presses=5)
    limits = replace(LIMITS, **{rule: 0})
    others = {"anger_turns", "agent_requests", "zero_presses"} - {rule}
    assert escalate(signals, limits)  # the other two still fire
    assert not escalate(signals, replace(limits, **dict.fromkeys(others, 0)))


def test_rules_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="0 \\(off\\) or more"):
        FrustrationLimits(anger_turns=-1)


# In the call.


def test_call_angry_caller_goes_to_an_agent_at_once_with_the_reason(ctx: DialogContext) -> None:
    state, effects = step(ctx, known_caller_at_main(ctx), hear("this is ridiculous"))
    transfer = transfer_of(effects)
    assert (transfer.reason, transfer.urgent) == ("frustrated", False)
    assert transfer.summary.reason == "Caller sounded frustrated at the main menu."
    assert transfer.summary.frustration == ("said: “ridiculous”",)
    assert turns(effects)[0].outcome == "escalated"
    assert texts(effects) == [
        "I'm sorry for the trouble. Please hold while I connect you to an agent."
    ]
    assert state.status == "transferred"


def test_call_anger_with_a_request_is_not_served_by_the_machine(ctx: DialogContext) -> None:
    event = Heard("my balance, this is useless", 0.9, meaning="my balance")
    _, effects = step(ctx, known_caller_at_main(ctx), event)
    assert transfer_of(effects).reason == "frustrated"
    assert turns(effects)[0].intent == "balance"  # what they asked for, for the agent


def test_call_angry_lost_card_stays_urgent_and_tells_the_agent(ctx: DialogContext) -> None:
    event = Heard("I lost my damn card", 0.9, meaning="lost card")
    _, effects = step(ctx, known_caller_at_main(ctx), event)
    transfer = transfer_of(effects)
    assert (transfer.reason, transfer.urgent) == ("lost_card", True)
    assert transfer.summary.frustration == ("said: “damn”",)


def test_call_anger_rule_off_reprompts_as_before(ctx: DialogContext) -> None:
    off = replace(ctx, policy=replace(ctx.policy, frustration=replace(LIMITS, anger_turns=0)))
    state, effects = step(off, known_caller_at_main(off), hear("this is ridiculous"))
    assert texts(effects) == ["main reprompt"] and state.menu == "main"


def test_call_zero_twice_at_the_pin_prompt_reaches_a_person(ctx: DialogContext) -> None:
    state, effects = step(ctx, at_pin_prompt(ctx), KeysEntered("0"))
    assert texts(effects) == ["pin reprompt"]  # once may be a slip
    state, effects = step(ctx, state, KeysEntered("0"))
    transfer = transfer_of(effects)
    assert transfer.reason == "frustrated"
    assert transfer.summary.frustration == ("pressed 0 at a number prompt 2 times",)
    assert turns(effects)[0].transcript == "****"  # masked: it was typed at the PIN prompt


def test_call_a_pin_of_zeros_is_a_pin(ctx: DialogContext) -> None:
    state, effects = step(ctx, at_pin_prompt(ctx), KeysEntered("0000"))
    assert [e for e in effects if isinstance(e, Request)]
    assert not [e for e in effects if isinstance(e, Transfer)]
    assert state.signals == Signals()


def test_call_unsure_agent_declined_then_asked_again_is_frustrated(ctx: DialogContext) -> None:
    state, effects = step(ctx, known_caller_at_main(ctx), hear("agent", 0.5))
    assert state.menu == "confirm"
    state, effects = step(ctx, state, hear("no"))
    state, effects = step(ctx, state, hear("agent"))
    transfer = transfer_of(effects)
    assert transfer.reason == "frustrated"
    assert transfer.summary.frustration == ("asked for an agent 2 times",)


def test_call_calm_first_agent_request_is_a_plain_caller_request(ctx: DialogContext) -> None:
    _, effects = step(ctx, known_caller_at_main(ctx), hear("agent"))
    transfer = transfer_of(effects)
    assert transfer.reason == "caller_request" and transfer.summary.frustration == ()
