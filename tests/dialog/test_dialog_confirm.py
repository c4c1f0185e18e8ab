"""Low-confidence speech is confirmed before it is acted on."""

from __future__ import annotations

from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Listen, Play, TurnRecord
from ivr.dialog.engine import step
from ivr.dialog.events import KeysEntered, NoInput
from ivr.dialog.outcomes import TurnOutcome
from ivr.dialog.policy import DialogPolicy
from ivr.dialog.state import CallState

from .fakes import (
    heard,
    known_caller_at_main,
    listens,
    make_ctx,
    only,
    texts,
    transfer_of,
    turns,
)


def _confirming(ctx: DialogContext) -> CallState:
    return step(ctx, known_caller_at_main(ctx), heard("balance", 0.4))[0]


def test_confirm_low_confidence_asks_did_you_say(ctx: DialogContext) -> None:
    state, effects = step(ctx, known_caller_at_main(ctx), heard("balance", 0.4))
    assert turns(effects) == [
        TurnRecord("main", "speech", "balance", "balance", 0.4, TurnOutcome.NEEDS_CONFIRMATION)
    ]
    assert [e for e in effects if isinstance(e, Play)] == [
        Play("confirm_question", "Did you say your balance?")
    ]
    assert only(listens(effects)) == Listen("confirm", None, 450, 6000)
    assert state.confirming is not None


def test_confirm_high_confidence_is_not_confirmed(ctx: DialogContext) -> None:
    _, effects = step(ctx, known_caller_at_main(ctx), heard("balance", 0.6))
    assert texts(effects) == ["pin initial"]


def test_confirm_keys_are_never_confirmed(ctx: DialogContext) -> None:
    ctx = make_ctx(DialogPolicy(confirm_below=1.0))
    _, effects = step(ctx, known_caller_at_main(ctx), KeysEntered("1"))
    assert texts(effects) == ["pin initial"]


def test_confirm_yes_acts_on_original_intent(ctx: DialogContext) -> None:
    state, effects = step(ctx, _confirming(ctx), heard("yes", 0.8))
    assert turns(effects) == [
        TurnRecord("confirm", "speech", "yes", "yes", 0.8, TurnOutcome.CONFIRMED)
    ]
    assert texts(effects) == ["pin initial"]
    assert state.pending_intent == "balance"
    assert state.confirming is None
    assert state.intents_tried == ("balance",)


def test_confirm_key_one_is_yes(ctx: DialogContext) -> None:
    _, effects = step(ctx, _confirming(ctx), KeysEntered("1"))
    assert turns(effects)[0].outcome == "confirmed"


def test_confirm_no_reprompts_original_menu_as_no_match(ctx: DialogContext) -> None:
    state, effects = step(ctx, _confirming(ctx), heard("no"))
    assert turns(effects)[0].outcome == "rejected"
    assert texts(effects) == ["main reprompt"]
    assert state.menu == "main"
    assert (state.consecutive_failures, state.total_failures) == (1, 1)
    assert state.confirming is None


def test_confirm_key_two_is_no(ctx: DialogContext) -> None:
    _state, effects = step(ctx, _confirming(ctx), KeysEntered("2"))
    assert turns(effects)[0].outcome == "rejected"


def test_confirm_rejected_then_no_match_transfers_no_match(ctx: DialogContext) -> None:
    state, _ = step(ctx, _confirming(ctx), heard("no"))
    state, effects = step(ctx, state, heard(""))
    assert transfer_of(effects).reason == "no_match"


def test_confirm_no_match_repeats_question_after_reprompt(ctx: DialogContext) -> None:
    state, effects = step(ctx, _confirming(ctx), heard("maybe"))
    assert turns(effects)[0].outcome == "no_match"
    assert texts(effects) == ["confirm reprompt", "Did you say your balance?"]
    assert state.menu == "confirm"
    assert state.confirming is not None


def test_confirm_no_input_repeats_question_after_no_input_prompt(ctx: DialogContext) -> None:
    _, effects = step(ctx, _confirming(ctx), NoInput())
    assert texts(effects) == ["confirm no input", "Did you say your balance?"]


def test_confirm_phrase_missing_falls_back_to_intent_words(ctx: DialogContext) -> None:
    _, effects = step(ctx, known_caller_at_main(ctx), heard("lost card", 0.2))
    assert texts(effects) == ["Did you say lost card?"]


def test_confirm_unsure_yes_is_asked_again_neither_acted_on_nor_reconfirmed(
    ctx: DialogContext,
) -> None:
    # "Did you say …?" decides whether something happens: an unsure answer is not enough.
    state, effects = step(ctx, _confirming(ctx), heard("yes", 0.3))
    assert [(t.intent, t.outcome) for t in turns(effects)] == [(None, "no_match")]
    assert state.menu == "confirm" and state.confirming is not None
    assert state.pending_intent is None


def test_confirm_below_reject_threshold_is_a_no_match_not_a_question() -> None:
    from ivr.dialog.policy import DialogPolicy
    from tests.dialog.fakes import heard, known_caller_at_main, make_ctx, run, turns

    ctx = make_ctx(DialogPolicy(reject_below=0.45))
    state = known_caller_at_main(ctx)
    state, effects = run(ctx, state, heard("balance", 0.42))
    assert [(t.intent, t.outcome) for t in turns(effects)] == [(None, "no_match")]
    assert state.menu == "main"
    # Just above the threshold the caller is asked to confirm instead.
    state, effects = run(ctx, known_caller_at_main(ctx), heard("balance", 0.5))
    assert [t.outcome for t in turns(effects)] == ["needs_confirmation"]
