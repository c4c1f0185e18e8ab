"""Reprompts, escalation to an agent and backend failures."""

from __future__ import annotations

from ivr.dialog.backend import Balances, PinChecked
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Listen, Play, RecordTurn, TurnRecord
from ivr.dialog.engine import step
from ivr.dialog.events import BackendFailed, KeysEntered, NoInput
from ivr.dialog.outcomes import TurnOutcome
from ivr.dialog.policy import DialogPolicy

from .fakes import (
    PIN,
    answer,
    heard,
    known_caller_at_main,
    listens,
    make_ctx,
    only,
    requests,
    texts,
    transfer_of,
    turns,
    verified_for,
)

HOLD = "Please hold while I connect you to an agent."


def test_escalation_first_no_match_uses_reprompt(ctx: DialogContext) -> None:
    state, effects = step(ctx, known_caller_at_main(ctx), heard(""))
    assert effects == [
        RecordTurn(TurnRecord("main", "speech", "", None, 0.9, TurnOutcome.NO_MATCH)),
        Play("main_reprompt", "main reprompt"),
        Listen("main", None, 700, 6000),
    ]
    assert (state.consecutive_failures, state.total_failures) == (1, 1)


def test_escalation_out_of_grammar_text_is_no_match(ctx: DialogContext) -> None:
    _, effects = step(ctx, known_caller_at_main(ctx), heard("pizza please"))
    assert turns(effects)[0].outcome == "no_match"


def test_escalation_two_no_matches_transfer_no_match(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, _ = step(ctx, state, heard(""))
    state, effects = step(ctx, state, heard("pizza"))
    assert turns(effects)[0].outcome == "no_match"
    transfer = transfer_of(effects)
    assert transfer.reason == "no_match"
    assert transfer.summary.failed_attempts == 2
    assert transfer.summary.reason == "Caller was not understood twice in a row at the main menu."
    assert texts(effects) == ["Sorry, I'm having trouble understanding. " + HOLD]
    assert state.status == "transferred"


def test_escalation_no_input_uses_no_input_prompt_then_transfers(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, NoInput())
    assert effects == [
        RecordTurn(TurnRecord("main", "none", "", None, None, TurnOutcome.NO_INPUT)),
        Play("main_no_input", "main no input"),
        Listen("main", None, 700, 6000),
    ]
    assert (state.consecutive_failures, state.total_failures) == (1, 0)
    state, effects = step(ctx, state, NoInput())
    assert transfer_of(effects).reason == "no_input"


def test_escalation_success_resets_streak(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, _ = step(ctx, state, heard(""))
    state, _ = step(ctx, state, KeysEntered("1"))  # to the PIN prompt
    state, effects = step(ctx, state, NoInput())
    assert state.consecutive_failures == 1
    assert texts(effects) == ["pin no input"]


def test_escalation_three_failures_across_menus_transfer(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, _ = step(ctx, state, heard(""))  # main: 1
    state, _ = step(ctx, state, heard("balance"))  # recovers, PIN prompt
    state, _ = step(ctx, state, KeysEntered("12"))  # pin: 2 (streak restarts at the PIN)
    state, effects = step(ctx, state, KeysEntered(PIN))
    state, effects = step(ctx, state, answer(effects, PinChecked(True, False, 3)))
    state, effects = step(ctx, state, answer(effects, Balances(())))
    state, effects = step(ctx, state, heard("nonsense"))  # anything_else: 3
    transfer = transfer_of(effects)
    assert transfer.reason == "too_many_failures"
    assert transfer.summary.verified is True
    assert transfer.summary.failed_attempts == 3
    assert transfer.summary.intents_tried == ("balance",)


def test_escalation_thresholds_come_from_policy() -> None:
    ctx = make_ctx(DialogPolicy(max_consecutive_failures=3, max_total_failures=5))
    state = known_caller_at_main(ctx)
    state, _ = step(ctx, state, heard(""))
    state, effects = step(ctx, state, heard(""))
    assert state.status == "active"
    assert texts(effects) == ["main reprompt"]
    state, effects = step(ctx, state, heard(""))
    assert transfer_of(effects).reason == "no_match"


def test_escalation_single_failure_policy_transfers_at_once() -> None:
    ctx = make_ctx(DialogPolicy(max_consecutive_failures=1))
    _, effects = step(ctx, known_caller_at_main(ctx), NoInput())
    assert transfer_of(effects).reason == "no_input"


def test_escalation_backend_failure_apologises_and_transfers(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    (request,) = requests(effects)
    state, effects = step(ctx, state, BackendFailed(request.request_id, "timeout"))
    assert effects[0] == Play(
        "transfer_backend_error",
        "I'm sorry, I can't reach our systems right now. Let me connect you to an agent.",
    )
    transfer = transfer_of(effects)
    assert transfer.reason == "backend_error"
    assert transfer.summary.verified is True
    assert state.status == "transferred"


def test_escalation_repeat_is_not_a_failure(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, _ = step(ctx, state, heard(""))
    state, effects = step(ctx, state, heard("repeat"))
    assert texts(effects) == ["main reprompt"]
    assert only(listens(effects)).menu_id == "main"
    assert (state.consecutive_failures, state.total_failures) == (1, 1)


def test_escalation_repeat_after_greeting_replays_greeting(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    _, effects = step(ctx, state, heard("repeat"))
    assert texts(effects) == ["Welcome to the customer hotline.", "main initial"]
