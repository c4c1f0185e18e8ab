"""Balances and policies as spoken to a verified caller."""

from __future__ import annotations

from datetime import date

from ivr.dialog.backend import AccountInfo, Balances, Policies, PolicyInfo
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Effect, Listen, Play
from ivr.dialog.engine import step
from ivr.dialog.events import KeysEntered
from ivr.dialog.state import CallState

from .fakes import (
    AUTO,
    CHECKING,
    HOME_LAPSED,
    LIFE,
    SAVINGS,
    answer,
    heard,
    listens,
    only,
    texts,
    turns,
    verified_for,
)

AUTO_SENTENCE = (
    "Your auto policy A P 1 0 0 1 is active. The premium is ninety-six dollars and fifty "
    "cents, next due December 15th, 2026."
)


def _policies(ctx: DialogContext, *held: PolicyInfo) -> tuple[CallState, list[Effect]]:
    state, effects = verified_for(ctx, "2")
    return step(ctx, state, answer(effects, Policies(held)))


def test_balance_single_account_speaks_exact_sentence(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    state, effects = step(ctx, state, answer(effects, Balances((CHECKING,))))
    assert effects == [
        Play(
            "balance_0",
            "Your checking account ending in 1 2 3 4 has two thousand five hundred "
            "seventeen dollars and forty-three cents.",
            personal=True,  # amounts are rendered for this call only, never cached
        ),
        Play("anything_else_initial", "anything_else initial"),
        Listen("anything_else", None, 450, 6000),
    ]
    assert state.served == 1
    assert state.menu == "anything_else"


def test_balance_negative_account_says_minus(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    _, effects = step(ctx, state, answer(effects, Balances((CHECKING, SAVINGS))))
    assert texts(effects)[1] == (
        "Your savings account ending in 5 6 7 8 has minus twelve dollars and five cents."
    )


def test_balance_zero_balance_says_zero_dollars(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    _, effects = step(ctx, state, answer(effects, Balances((AccountInfo("savings", "0001", 0),))))
    assert texts(effects)[0] == "Your savings account ending in 0 0 0 1 has zero dollars."


def test_balance_no_accounts_says_so(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    _, effects = step(ctx, state, answer(effects, Balances(())))
    assert texts(effects) == [
        "I couldn't find any accounts in your name.",
        "anything_else initial",
    ]


def test_policy_single_active_speaks_exact_sentence(ctx: DialogContext) -> None:
    state, effects = _policies(ctx, AUTO)
    assert texts(effects) == [AUTO_SENTENCE, "anything_else initial"]
    assert state.menu == "anything_else"


def test_policy_lapsed_says_lapsed_without_due_date(ctx: DialogContext) -> None:
    _, effects = _policies(ctx, HOME_LAPSED)
    sentence = texts(effects)[0]
    assert sentence == (
        "Your home policy H P 2 0 0 2 has lapsed. The premium was one hundred twenty dollars."
    )
    assert "due" not in sentence


def test_policy_active_without_due_date_omits_it(ctx: DialogContext) -> None:
    _, effects = _policies(ctx, LIFE)
    assert texts(effects)[0] == (
        "Your life policy L P 3 0 0 3 is active. The premium is forty-five dollars."
    )


def test_policy_other_status_is_named(ctx: DialogContext) -> None:
    pending = PolicyInfo("AP-9", "auto", "pending", 100, date(2026, 1, 2))
    _, effects = _policies(ctx, pending)
    assert texts(effects)[0] == ("Your auto policy A P 9 is pending. The premium is one dollar.")


def test_policy_none_says_so(ctx: DialogContext) -> None:
    _, effects = _policies(ctx)
    assert texts(effects)[0] == ("I couldn't find any insurance policies in your name.")


def test_policy_two_of_same_kind_speaks_both(ctx: DialogContext) -> None:
    second = PolicyInfo("AP-1002", "auto", "active", 100, None)
    state, effects = _policies(ctx, AUTO, second)
    assert texts(effects)[:2] == [
        AUTO_SENTENCE,
        "Your auto policy A P 1 0 0 2 is active. The premium is one dollar.",
    ]
    assert state.menu == "anything_else"


def test_policy_several_kinds_offers_only_held_kinds(ctx: DialogContext) -> None:
    state, effects = _policies(ctx, AUTO, LIFE)
    assert texts(effects) == [
        "policy_choice initial",
        "You have two policies. For your auto policy, say auto or press 1. "
        "For your life policy, say life or press 3.",
    ]
    assert only(listens(effects)) == Listen("policy_choice", None, 700, 6000)
    assert state.policies == (AUTO, LIFE)


def test_policy_choice_by_voice_speaks_that_policy(ctx: DialogContext) -> None:
    state, _ = _policies(ctx, AUTO, LIFE)
    state, effects = step(ctx, state, heard("auto"))
    assert texts(effects) == [AUTO_SENTENCE, "anything_else initial"]
    assert state.policies == ()
    assert state.served == 1


def test_policy_choice_by_key_speaks_that_policy(ctx: DialogContext) -> None:
    state, _ = _policies(ctx, AUTO, LIFE)
    _, effects = step(ctx, state, KeysEntered("3"))
    assert texts(effects)[0].startswith("Your life policy L P 3 0 0 3")


def test_policy_choice_kind_not_held_reprompts_as_failure(ctx: DialogContext) -> None:
    state, _ = _policies(ctx, AUTO, LIFE)
    state, effects = step(ctx, state, KeysEntered("2"))
    assert turns(effects)[0].outcome == "unavailable"
    assert texts(effects) == [
        "You don't have a home policy with us.",
        "policy_choice reprompt",
        "You have two policies. For your auto policy, say auto or press 1. "
        "For your life policy, say life or press 3.",
    ]
    assert (state.consecutive_failures, state.total_failures) == (1, 1)
    assert state.menu == "policy_choice"


def test_anything_else_yes_returns_to_main(ctx: DialogContext) -> None:
    state, _ = _policies(ctx, AUTO)
    state, effects = step(ctx, state, heard("yes"))
    assert texts(effects) == ["main initial"]
    assert state.menu == "main"


def test_anything_else_no_says_goodbye(ctx: DialogContext) -> None:
    state, _ = _policies(ctx, AUTO)
    state, effects = step(ctx, state, KeysEntered("2"))
    assert texts(effects) == ["Thank you for calling. Goodbye."]
    assert state.status == "ended"


def test_anything_else_balance_goes_straight_to_balances(ctx: DialogContext) -> None:
    state, _ = _policies(ctx, AUTO)
    state, effects = step(ctx, state, heard("balance"))
    assert texts(effects) == []
    assert state.waiting_for == "balances"
