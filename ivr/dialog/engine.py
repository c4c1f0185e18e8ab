"""The pure dialog engine: one step per event, no I/O, no clock, no randomness."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.backend import FindCustomerByPhone
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Effect, Play
from ivr.dialog.ending import caller_hung_up
from ivr.dialog.events import (
    BackendAnswered,
    BackendFailed,
    CallerHungUp,
    CallStarted,
    Event,
    Heard,
    KeysEntered,
    NoInput,
)
from ivr.dialog.inputs import handle_input
from ivr.dialog.messages import render
from ivr.dialog.outbox import send
from ivr.dialog.prompting import ask_menu
from ivr.dialog.responses import handle_answer, handle_failure
from ivr.dialog.state import CallState, Step


def step(ctx: DialogContext, state: CallState, event: Event) -> tuple[CallState, list[Effect]]:
    """Advance the call by one event; returns the new state and the effects to execute."""
    if isinstance(event, CallerHungUp):
        return caller_hung_up(state), []
    if state.status == "new":
        return start_call(ctx, state, event) if isinstance(event, CallStarted) else (state, [])
    if state.status != "active":
        # After a Transfer or HangUp the call belongs to someone else: stay silent.
        return state, []
    if isinstance(event, Heard | KeysEntered | NoInput):
        return handle_input(ctx, state, event)
    if isinstance(event, BackendAnswered):
        return handle_answer(ctx, state, event)
    if isinstance(event, BackendFailed):
        return handle_failure(ctx, state, event)
    # PromptFinished is informational and a repeated CallStarted changes nothing.
    return state, []


def start_call(ctx: DialogContext, state: CallState, event: CallStarted) -> Step:
    """Greet the caller and, in the background, look up who the caller ID belongs to."""
    state = replace(
        state, call_sid=event.call_sid, caller=event.caller, called=event.called, status="active"
    )
    effects: list[Effect] = []
    if event.caller:
        # Issued first so the answer is usually in before the caller picks a service.
        state, effects = send(state, FindCustomerByPhone(event.caller), "phone_lookup", wait=False)
        state = replace(state, phone_lookup="pending")
    else:
        state = replace(state, phone_lookup="not_found")
    greeting = Play("greeting", render(ctx, "greeting"))
    state, asked = ask_menu(ctx, state, "main", greeting)
    return state, effects + asked
