"""Turning speech, keys and silence into a recorded turn and the engine's reaction."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.context import DialogContext
from ivr.dialog.effects import RecordTurn, TurnRecord
from ivr.dialog.ending import transfer
from ivr.dialog.escalation import fail
from ivr.dialog.events import Heard, KeysEntered, NoInput
from ivr.dialog.frustration import Signals, escalate, heard, keyed
from ivr.dialog.intents import URGENT_INTENTS, route
from ivr.dialog.masking import mask_account, mask_pin, mask_spoken_digits
from ivr.dialog.outcomes import TransferReason, TurnOutcome
from ivr.dialog.policy import speech_action
from ivr.dialog.ports import GrammarMatch
from ivr.dialog.prompting import CONFIRM_MENU, ask_menu
from ivr.dialog.state import CallState, PendingConfirm, Step
from ivr.dialog.verification import ACCOUNT_MENU

_DIGITS = frozenset("0123456789")

CallerInput = Heard | KeysEntered | NoInput


def handle_input(ctx: DialogContext, state: CallState, event: CallerInput) -> Step:
    """React to one caller input; exactly one RecordTurn now, or one deferred to the store."""
    menu = state.menu
    if menu is None:
        # Nothing was being listened for (waiting for the store): log it, do nothing else.
        return state, [RecordTurn(_ignored(event))]
    if isinstance(event, NoInput):
        turn = TurnRecord(menu, "none", "", None, None, TurnOutcome.NO_INPUT)
        state, effects = fail(ctx, state, menu, "no_input")
        return state, [RecordTurn(turn), *effects]

    match = interpret(ctx, menu, event)
    if isinstance(event, Heard):
        turn = TurnRecord(menu, "speech", "", None, event.confidence, TurnOutcome.MATCHED)
        raw = event.text
    else:
        turn = TurnRecord(menu, "keys", "", None, None, TurnOutcome.MATCHED)
        raw = event.digits
    turn = replace(
        turn,
        transcript=_masked(ctx, menu, raw, match),
        intent=match.intent if match else None,
    )
    action = (
        speech_action(ctx.policy, menu, match.intent, event.confidence)
        if isinstance(event, Heard) and match is not None
        else "act"
    )
    if action == "reject":
        match, turn = None, replace(turn, intent=None)
    state = replace(state, signals=_observe(ctx, state, menu, event, match))
    urgent = match is not None and match.intent in URGENT_INTENTS and action == "act"
    # An angry caller with a lost card still goes to the front of the queue as one.
    if escalate(state.signals, ctx.policy.frustration) and not urgent:
        state, effects = transfer(ctx, state, TransferReason.FRUSTRATED)
        return state, [RecordTurn(replace(turn, outcome=TurnOutcome.ESCALATED)), *effects]
    if match is None:
        return _no_match(ctx, state, menu, turn)
    if action == "confirm":
        state = replace(state, confirming=PendingConfirm(menu, match, state.consecutive_failures))
        state, effects = ask_menu(ctx, state, CONFIRM_MENU)
        return state, [RecordTurn(replace(turn, outcome=TurnOutcome.NEEDS_CONFIRMATION)), *effects]
    routed = route(ctx, state, menu, match, turn)
    if routed is None:
        return _no_match(ctx, state, menu, turn)
    state, effects, outcome = routed
    if outcome is None:
        return state, effects
    return state, [RecordTurn(replace(turn, outcome=outcome)), *effects]


def _observe(
    ctx: DialogContext,
    state: CallState,
    menu: str,
    event: Heard | KeysEntered,
    match: GrammarMatch | None,
) -> Signals:
    """The call's frustration signals with this turn counted."""
    intent = match.intent if match else None
    if isinstance(event, Heard):
        return heard(state.signals, menu, event.text, intent)
    number_prompt = ctx.grammar.is_digits_menu(menu) is not None
    return keyed(state.signals, menu, event.digits, intent, number_prompt)


def interpret(ctx: DialogContext, menu: str, event: Heard | KeysEntered) -> GrammarMatch | None:
    """The grammar match of speech or keys in ``menu``; digit entries are length-checked."""
    bounds = ctx.grammar.is_digits_menu(menu)
    if isinstance(event, KeysEntered):
        if bounds is not None:
            return _digits_match(event.digits, bounds)
        intent = ctx.grammar.intent_for_key(menu, event.digits) if event.digits else None
        return GrammarMatch(intent) if intent else None
    if not event.interpreted.strip():
        return None
    found = ctx.grammar.match(menu, event.interpreted)
    if found is not None and found.intent == "digits":
        return _digits_match(found.slots.get("digits", ""), bounds) if bounds else None
    return found


def _digits_match(digits: str, bounds: tuple[int, int]) -> GrammarMatch | None:
    low, high = bounds
    if digits and set(digits) <= _DIGITS and low <= len(digits) <= high:
        return GrammarMatch("digits", {"digits": digits})
    return None


def _masked(ctx: DialogContext, menu: str, raw: str, match: GrammarMatch | None) -> str:
    """What may be logged of ``raw``: in digits menus only a spoken command is kept."""
    if ctx.grammar.is_digits_menu(menu) is None:
        return raw
    if match is not None and match.intent != "digits":
        # A command heard at a number prompt may still carry digits the caller said.
        return mask_spoken_digits(raw)
    if menu == ACCOUNT_MENU and match is not None:
        return mask_account(match.slots.get("digits", ""))
    return mask_pin(raw)


def _ignored(event: CallerInput) -> TurnRecord:
    # Without a menu we can't tell a PIN from a command, so any content is masked.
    if isinstance(event, Heard):
        return TurnRecord(
            "", "speech", mask_pin(event.text), None, event.confidence, TurnOutcome.IGNORED
        )
    if isinstance(event, KeysEntered):
        return TurnRecord("", "keys", mask_pin(event.digits), None, None, TurnOutcome.IGNORED)
    return TurnRecord("", "none", "", None, None, TurnOutcome.IGNORED)


def _no_match(ctx: DialogContext, state: CallState, menu: str, turn: TurnRecord) -> Step:
    state, effects = fail(ctx, state, menu, "no_match")
    return state, [RecordTurn(replace(turn, outcome=TurnOutcome.NO_MATCH)), *effects]
