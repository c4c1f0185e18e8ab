"""Reacting to the store's answers and failures, whatever order they arrive in."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.backend import Balances, CustomerFound, PinChecked, Policies
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import RecordTurn
from ivr.dialog.ending import transfer
from ivr.dialog.events import BackendAnswered, BackendFailed
from ivr.dialog.outbox import take
from ivr.dialog.outcomes import TransferReason, TurnOutcome
from ivr.dialog.prompting import ask_menu
from ivr.dialog.services import serve, speak_balances, speak_policies
from ivr.dialog.state import CallState, Step
from ivr.dialog.verification import (
    account_lookup_answered,
    phone_lookup_answered,
    phone_lookup_failed,
    pin_checked,
)


def handle_answer(ctx: DialogContext, state: CallState, event: BackendAnswered) -> Step:
    """Continue the conversation that was waiting for this answer."""
    state, pending = take(state, event.request_id)
    if pending is None:
        # Unknown or already-settled request (duplicate, or from before a reset): ignore.
        return state, []
    result, purpose = event.result, pending.purpose
    awaited = state.waiting_for == purpose
    if purpose == "phone_lookup":
        if isinstance(result, CustomerFound):
            return phone_lookup_answered(ctx, state, result)
        return backend_error(ctx, state) if awaited else phone_lookup_failed(state)
    if not awaited:
        return state, []
    state = replace(state, waiting_for=None)
    if purpose == "account_lookup" and isinstance(result, CustomerFound):
        return account_lookup_answered(ctx, state, result)
    if purpose == "verify_pin" and isinstance(result, PinChecked):
        (state, effects), verified = pin_checked(ctx, state, result)
        if not verified:
            return state, effects
        intent = state.pending_intent
        state, more = serve(ctx, state, intent) if intent else ask_menu(ctx, state, "main")
        return state, effects + more
    if purpose == "balances" and isinstance(result, Balances):
        return speak_balances(ctx, state, result)
    if purpose == "policies" and isinstance(result, Policies):
        return speak_policies(ctx, state, result)
    # An answer of the wrong type is a store bug; the caller must not be left in silence.
    return backend_error(ctx, state)


def handle_failure(ctx: DialogContext, state: CallState, event: BackendFailed) -> Step:
    """Apologise and transfer if the caller was waiting on the failed request."""
    state, pending = take(state, event.request_id)
    if pending is None:
        return state, []
    if state.waiting_for != pending.purpose:
        if pending.purpose == "phone_lookup":
            return phone_lookup_failed(state)
        return state, []
    return backend_error(ctx, state)


def backend_error(ctx: DialogContext, state: CallState) -> Step:
    """Log the turn that was waiting (if any) and hand the caller to an agent."""
    recorded = []
    if state.pending_turn is not None:
        recorded = [RecordTurn(replace(state.pending_turn, outcome=TurnOutcome.BACKEND_ERROR))]
        state = replace(state, pending_turn=None)
    state, effects = transfer(ctx, state, TransferReason.BACKEND_ERROR)
    return state, [*recorded, *effects]
