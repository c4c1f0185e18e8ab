"""Identifying and verifying the caller before any account data is spoken."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.backend import CustomerFound, FindCustomerByAccount, PinChecked, VerifyPin
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Effect, Play, RecordTurn, TurnRecord
from ivr.dialog.ending import transfer
from ivr.dialog.escalation import fail
from ivr.dialog.messages import render
from ivr.dialog.outbox import send
from ivr.dialog.outcomes import TransferReason, TurnOutcome
from ivr.dialog.prompting import ask, ask_menu, menu_prompt
from ivr.dialog.speech import say_number
from ivr.dialog.state import CallState, Step

PIN_MENU = "pin"
ACCOUNT_MENU = "account_number"
DIGITS_MENUS = frozenset({PIN_MENU, ACCOUNT_MENU})


def start_verification(ctx: DialogContext, state: CallState) -> Step:
    """Ask for what identifies the caller next: their PIN, or first their account number."""
    if state.phone_lookup == "pending":
        # The caller-ID lookup decides which question comes first: wait for it.
        return replace(state, menu=None, waiting_for="phone_lookup", confirming=None), []
    customer = state.customer
    if customer is None:
        return ask_menu(ctx, state, ACCOUNT_MENU)
    if customer.locked:
        return transfer(ctx, state, TransferReason.LOCKED_OUT)
    return ask_menu(ctx, state, PIN_MENU)


def submit_digits(
    ctx: DialogContext, state: CallState, menu: str, digits: str, turn: TurnRecord
) -> Step | None:
    """Send an entered PIN or account number to the store; None if ``menu`` takes no digits.

    The turn is recorded when the store answers, so its outcome says what happened.
    """
    if menu == ACCOUNT_MENU:
        state, effects = send(state, FindCustomerByAccount(digits), "account_lookup")
    elif menu == PIN_MENU and state.customer is not None:
        state, effects = send(state, VerifyPin(state.customer.id, digits), "verify_pin")
    else:
        return None
    return replace(state, pending_turn=turn), effects


def _record_pending(state: CallState, outcome: TurnOutcome) -> tuple[CallState, list[Effect]]:
    """Record the digits turn awaiting the store's verdict with that verdict."""
    if state.pending_turn is None:
        return state, []
    turn = replace(state.pending_turn, outcome=outcome)
    return replace(state, pending_turn=None), [RecordTurn(turn)]


def phone_lookup_answered(ctx: DialogContext, state: CallState, found: CustomerFound) -> Step:
    """Remember who the caller ID belongs to; continue if the caller was waiting for it."""
    state = replace(
        state,
        customer=found.customer,
        locked_until_iso=found.locked_until_iso,
        phone_lookup="found" if found.customer else "not_found",
    )
    if state.waiting_for == "phone_lookup":
        return start_verification(ctx, state)
    return state, []


def phone_lookup_failed(state: CallState) -> Step:
    """A failed background caller-ID lookup only loses a shortcut: ask for the account number.

    (If the caller was already waiting on it, the responder treats it as a backend error.)
    """
    return replace(state, phone_lookup="failed"), []


def account_lookup_answered(ctx: DialogContext, state: CallState, found: CustomerFound) -> Step:
    """Continue to the PIN, reprompt an unknown account, or stop a locked one."""
    customer = found.customer
    if customer is None:
        state, recorded = _record_pending(state, TurnOutcome.UNKNOWN_ACCOUNT)
        lead = Play("account_not_found", render(ctx, "account_not_found"))
        state, effects = fail(ctx, state, ACCOUNT_MENU, "unknown_account", lead)
        return state, recorded + effects
    state = replace(state, customer=customer, locked_until_iso=found.locked_until_iso)
    if customer.locked:
        state, recorded = _record_pending(state, TurnOutcome.LOCKED_OUT)
        state, effects = transfer(ctx, state, TransferReason.LOCKED_OUT)
        return state, recorded + effects
    state, recorded = _record_pending(state, TurnOutcome.FOUND)
    state, effects = ask_menu(ctx, state, PIN_MENU)
    return state, recorded + effects


def pin_checked(ctx: DialogContext, state: CallState, checked: PinChecked) -> tuple[Step, bool]:
    """React to the store's PIN verdict; the flag says whether the caller is now verified."""
    if checked.ok:
        state, recorded = _record_pending(state, TurnOutcome.VERIFIED)
        return (replace(state, verified=True), recorded), True
    if checked.locked or checked.attempts_left <= 0:
        state, recorded = _record_pending(state, TurnOutcome.PIN_LOCKED)
        state, effects = transfer(ctx, state, TransferReason.PIN_LOCKED)
        return (state, recorded + effects), False
    state, recorded = _record_pending(state, TurnOutcome.WRONG_PIN)
    left = checked.attempts_left
    attempts = "one more attempt" if left == 1 else f"{say_number(left)} more attempts"
    lead = Play("wrong_pin", render(ctx, "wrong_pin", attempts=attempts))
    plays = [lead, *menu_prompt(ctx, state, PIN_MENU, "reprompt")]
    state, effects = ask(ctx, state, PIN_MENU, plays, fresh=True)
    return (state, recorded + effects), False
