"""Call start, greeting, hang-up and the informational events."""

from __future__ import annotations

from ivr.dialog.backend import CustomerFound, FindCustomerByPhone
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Listen, Play, Request
from ivr.dialog.engine import step
from ivr.dialog.events import CallerHungUp, CallStarted, Heard, NoInput, PromptFinished
from ivr.dialog.state import new_call_state

from .fakes import CALL_SID, CUSTOMER, KNOWN_CALLER, answer, known_caller_at_main, start


def test_step_call_started_greets_and_listens_main(ctx: DialogContext) -> None:
    state, effects = start(ctx)
    assert effects == [
        Request("r0", FindCustomerByPhone(KNOWN_CALLER)),
        Play("greeting", "Welcome to the customer hotline."),
        Play("main_initial", "main initial"),
        Listen("main", None, 700, 6000),
    ]
    assert state.status == "active"
    assert state.menu == "main"
    assert state.caller == KNOWN_CALLER
    assert state.phone_lookup == "pending"


def test_step_call_started_withheld_caller_skips_lookup(ctx: DialogContext) -> None:
    state, effects = start(ctx, caller="")
    assert not [e for e in effects if isinstance(e, Request)]
    assert state.phone_lookup == "not_found"


def test_step_phone_lookup_answer_at_main_is_silent(ctx: DialogContext) -> None:
    state, effects = start(ctx)
    state, effects = step(ctx, state, answer(effects, CustomerFound(CUSTOMER)))
    assert effects == []
    assert state.customer == CUSTOMER
    assert state.menu == "main"
    assert not state.verified


def test_step_event_before_call_started_is_ignored(ctx: DialogContext) -> None:
    state = new_call_state(CALL_SID)
    for event in (Heard("balance", 0.9), NoInput(), PromptFinished("x")):
        assert step(ctx, state, event) == (state, [])


def test_step_second_call_started_is_ignored(ctx: DialogContext) -> None:
    state, _ = start(ctx)
    assert step(ctx, state, CallStarted(CALL_SID, "+1", "+2")) == (state, [])


def test_step_prompt_finished_changes_nothing(ctx: DialogContext) -> None:
    state, _ = start(ctx)
    assert step(ctx, state, PromptFinished("greeting")) == (state, [])


def test_step_hang_up_before_service_is_abandoned(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, CallerHungUp())
    assert effects == []
    assert state.status == "abandoned"
    assert state.menu is None


def test_step_hang_up_before_start_is_abandoned(ctx: DialogContext) -> None:
    state, effects = step(ctx, new_call_state(CALL_SID), CallerHungUp())
    assert (state.status, effects) == ("abandoned", [])


def test_step_events_after_hang_up_are_ignored(ctx: DialogContext) -> None:
    state, effects = start(ctx)
    request = effects[0]
    assert isinstance(request, Request)
    state, _ = step(ctx, state, CallerHungUp())
    for event in (Heard("balance", 0.9), NoInput(), CallerHungUp()):
        assert step(ctx, state, event) == (state, [])
    assert step(ctx, state, answer([request], CustomerFound(CUSTOMER))) == (state, [])
