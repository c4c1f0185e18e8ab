"""Main-menu intents by voice and by key, and the global intents in every menu."""

from __future__ import annotations

import pytest

from ivr.dialog.backend import CustomerFound, GetBalances, Policies
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import HangUp, Listen, Play, RecordTurn, Transfer, TurnRecord
from ivr.dialog.engine import step
from ivr.dialog.events import Heard, KeysEntered
from ivr.dialog.outcomes import TurnOutcome
from ivr.dialog.state import CallState

from .fakes import (
    AUTO,
    LIFE,
    answer,
    heard,
    known_caller_at_main,
    listens,
    only,
    requests,
    run,
    start,
    texts,
    turns,
    verified_for,
)


@pytest.mark.parametrize("event", [heard("balance"), heard("my balance"), KeysEntered("1")])
def test_main_balance_known_caller_asks_pin(ctx: DialogContext, event: Heard) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, event)
    assert texts(effects) == ["pin initial"]
    assert only(listens(effects)) == Listen("pin", (4, 4), 450, 6000)
    assert state.pending_intent == "balance"
    assert turns(effects)[0].intent == "balance"
    assert turns(effects)[0].outcome == "matched"


@pytest.mark.parametrize("event", [heard("policy"), KeysEntered("2")])
def test_main_policy_known_caller_asks_pin(ctx: DialogContext, event: Heard) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, event)
    assert texts(effects) == ["pin initial"]
    assert state.pending_intent == "policy"


@pytest.mark.parametrize("event", [heard("agent"), heard("representative"), KeysEntered("0")])
def test_main_agent_transfers_caller_request(ctx: DialogContext, event: Heard) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, event)
    assert isinstance(effects[0], RecordTurn)
    assert effects[1] == Play(
        "transfer_caller_request", "Please hold while I connect you to an agent."
    )
    transfer = effects[2]
    assert isinstance(transfer, Transfer)
    assert (transfer.reason, transfer.urgent) == ("caller_request", False)
    assert transfer.summary.customer_name == "Ada Lovelace"
    assert transfer.summary.verified is False
    assert transfer.summary.intents_tried == ("agent",)
    assert len(effects) == 3
    assert state.status == "transferred"


def test_main_lost_card_transfers_urgently(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, heard("lost card"))
    transfer = effects[-1]
    assert isinstance(transfer, Transfer)
    assert (transfer.reason, transfer.urgent) == ("lost_card", True)
    assert texts(effects)[-1].endswith("Please hold while I connect you to an agent.")
    assert transfer.summary.reason == "Caller reported a lost or stolen card."


@pytest.mark.parametrize("event", [heard("fraud"), KeysEntered("4")])
def test_main_fraud_transfers_urgently_without_promising_anything(
    ctx: DialogContext, event: Heard
) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, event)
    transfer = effects[-1]
    assert isinstance(transfer, Transfer)
    assert (transfer.reason, transfer.urgent) == ("fraud", True)
    assert transfer.summary.reason == "Caller reported suspected fraud on their account."
    assert transfer.summary.intents_tried == ("fraud",)
    # Not verified: the caller is not told what can be done to the account.
    assert texts(effects) == [
        "I'm sorry to hear that. An agent will look into it with you. "
        "Please hold while I connect you to an agent."
    ]
    assert state.status == "transferred"


def test_main_fraud_from_a_verified_caller_says_the_agent_can_freeze_the_card(
    ctx: DialogContext,
) -> None:
    state = _at_menu(ctx, "anything_else")
    state, _ = step(ctx, state, heard("main menu"))
    state, effects = step(ctx, state, KeysEntered("4"))
    transfer = effects[-1]
    assert isinstance(transfer, Transfer)
    assert (transfer.reason, transfer.urgent, transfer.summary.verified) == ("fraud", True, True)
    assert "The agent can freeze your card" in texts(effects)[-1]
    # Speech alone freezes nothing: the only effects are the turn, the words and the transfer.
    assert [type(e) for e in effects] == [RecordTurn, Play, Transfer]


def test_main_goodbye_says_goodbye_and_hangs_up(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, heard("goodbye"))
    assert effects[1:] == [
        Play("goodbye", "Thank you for calling. Goodbye."),
        HangUp("caller_goodbye"),
    ]
    assert state.status == "ended"


def test_main_yes_is_no_match_there(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, heard("yes"))
    assert turns(effects)[0].outcome == "no_match"
    assert texts(effects) == ["main reprompt"]


def test_main_unmapped_key_is_no_match(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, KeysEntered("7"))
    assert turns(effects) == [TurnRecord("main", "keys", "7", None, None, TurnOutcome.NO_MATCH)]


def _at_menu(ctx: DialogContext, menu: str) -> CallState:
    """A call listening at ``menu``."""
    if menu == "main":
        return known_caller_at_main(ctx)
    if menu == "pin":
        return step(ctx, known_caller_at_main(ctx), KeysEntered("1"))[0]
    if menu == "account_number":
        state, _ = start(ctx, caller="")
        return step(ctx, state, KeysEntered("1"))[0]
    if menu == "confirm":
        return step(ctx, known_caller_at_main(ctx), heard("balance", 0.3))[0]
    if menu == "anything_else":
        state, effects = verified_for(ctx, "2")
        return step(ctx, state, answer(effects, Policies((AUTO,))))[0]
    state, effects = verified_for(ctx, "2")
    return step(ctx, state, answer(effects, Policies((AUTO, LIFE))))[0]


MENUS = ["main", "pin", "account_number", "confirm", "anything_else", "policy_choice"]


@pytest.mark.parametrize("menu", MENUS)
def test_global_agent_by_voice_transfers_from_every_menu(ctx: DialogContext, menu: str) -> None:
    state = _at_menu(ctx, menu)
    assert state.menu == menu
    state, effects = step(ctx, state, heard("agent"))
    assert isinstance(effects[-1], Transfer)
    assert effects[-1].reason == "caller_request"
    assert state.status == "transferred"


@pytest.mark.parametrize("menu", ["main", "confirm", "anything_else", "policy_choice"])
def test_global_agent_key_zero_transfers_from_choice_menus(ctx: DialogContext, menu: str) -> None:
    _state, effects = step(ctx, _at_menu(ctx, menu), KeysEntered("0"))
    assert isinstance(effects[-1], Transfer)


@pytest.mark.parametrize("menu", ["pin", "account_number"])
def test_global_key_zero_in_digits_menu_is_a_digit(ctx: DialogContext, menu: str) -> None:
    _state, effects = step(ctx, _at_menu(ctx, menu), KeysEntered("0"))
    assert not [e for e in effects if isinstance(e, Transfer)]
    assert turns(effects)[0].outcome == "no_match"  # too short for either menu


@pytest.mark.parametrize("menu", MENUS)
def test_global_repeat_replays_last_prompts_in_every_menu(ctx: DialogContext, menu: str) -> None:
    state = _at_menu(ctx, menu)
    before = state.last_prompts
    state, effects = step(ctx, state, heard("repeat"))
    assert [e for e in effects if isinstance(e, Play)] == list(before)
    assert only(listens(effects)).menu_id == menu
    assert state.menu == menu


def test_global_unsure_repeat_is_confirmed_not_acted_on(ctx: DialogContext) -> None:
    # An unsure "repeat" is mostly speech that meant something else.
    state, effects = step(ctx, _at_menu(ctx, "main"), heard("repeat", 0.5))
    assert turns(effects)[0].outcome == "needs_confirmation"
    assert state.menu == "confirm"


@pytest.mark.parametrize("menu", MENUS)
def test_global_main_menu_returns_to_main_from_every_menu(ctx: DialogContext, menu: str) -> None:
    state, effects = step(ctx, _at_menu(ctx, menu), heard("main menu"))
    assert texts(effects) == ["main initial"]
    assert state.menu == "main"
    assert state.pending_intent is None


def test_global_main_menu_keeps_verification(ctx: DialogContext) -> None:
    state = _at_menu(ctx, "anything_else")
    state, _ = step(ctx, state, heard("main menu"))
    assert state.verified
    state, effects = step(ctx, state, KeysEntered("1"))
    assert requests(effects)[0].request == GetBalances(7)


def test_main_balance_before_phone_lookup_waits_silently(ctx: DialogContext) -> None:
    state, _ = start(ctx, caller="+15550100999")
    state, effects = run(ctx, state, KeysEntered("1"))
    assert state.menu is None  # PIN or account number first depends on the lookup
    assert state.waiting_for == "phone_lookup"
    assert turns(effects)[0].intent == "balance"
    assert not listens(effects)


def test_main_phone_lookup_answer_after_choice_continues_verification(
    ctx: DialogContext,
) -> None:
    state, start_effects = start(ctx, caller="+15550100999")
    state, _ = step(ctx, state, KeysEntered("1"))
    state, effects = step(ctx, state, answer(start_effects, CustomerFound(None)))
    assert texts(effects) == ["account_number initial"]
    assert only(listens(effects)) == Listen("account_number", (4, 12), 450, 6000)
