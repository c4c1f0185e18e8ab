"""Turning speech, keys and silence into a recorded turn and the engine's reaction."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.context import DialogContext
from ivr.dialog.effects import RecordTurn, TurnRecord
from ivr.dialog.escalation import fail
from ivr.dialog.events import Heard, KeysEntered, NoInput
from ivr.dialog.intents import route
from ivr.dialog.masking import mask_account, mask_pin
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
        turn = TurnRecord(menu, "none", "", None, None, "no_input")
        state, effects = fail(ctx, state, menu, "no_input")
        return state, [RecordTurn(turn), *effects]

    match = interpret(ctx, menu, event)
    if isinstance(event, Heard):
        turn = TurnRecord(menu, "speech", "", None, event.confidence, "matched")
        raw = event.text
    else:
        turn = TurnRecord(menu, "keys", "", None, None, "matched")
        raw = event.digits
    turn = replace(
        turn,
        transcript=_masked(ctx, menu, raw, match),
        intent=match.intent if match else None,
    )
    if match is None:
        return _no_match(ctx, state, menu, turn)
    if isinstance(event, Heard) and event.confidence < _speech_floor(ctx, menu, match):
        return _no_match(ctx, state, menu, replace(turn, intent=None))
    if isinstance(event, Heard) and _needs_confirmation(ctx, menu, match, event.confidence):
        state = replace(state, confirming=PendingConfirm(menu, match, state.consecutive_failures))
        state, effects = ask_menu(ctx, state, CONFIRM_MENU)
        return state, [RecordTurn(replace(turn, outcome="needs_confirmation")), *effects]
    routed = route(ctx, state, menu, match, turn)
    if routed is None:
        return _no_match(ctx, state, menu, turn)
    state, effects, outcome = routed
    if outcome is None:
        return state, effects
    return state, [RecordTurn(replace(turn, outcome=outcome)), *effects]


def _speech_floor(ctx: DialogContext, menu: str, match: GrammarMatch) -> float:
    """The confidence speech needs to count at all in ``menu``.

    Spoken digits are never confirmed (a PIN is not read back), and a digit grammar hears
    almost any speech as some digits: below the confirmation level they are a no-match
    (the reprompt asks for the keypad), not a wrong PIN that counts towards the lockout.
    """
    if match.intent == "digits":
        return max(ctx.policy.reject_below, ctx.policy.confirm_below)
    return ctx.policy.reject_below


def interpret(ctx: DialogContext, menu: str, event: Heard | KeysEntered) -> GrammarMatch | None:
    """The grammar match of speech or keys in ``menu``; digit entries are length-checked."""
    bounds = ctx.grammar.is_digits_menu(menu)
    if isinstance(event, KeysEntered):
        if bounds is not None:
            return _digits_match(event.digits, bounds)
        intent = ctx.grammar.intent_for_key(menu, event.digits) if event.digits else None
        return GrammarMatch(intent) if intent else None
    if not event.text.strip():
        return None
    found = ctx.grammar.match(menu, event.text)
    if found is not None and found.intent == "digits":
        return _digits_match(found.slots.get("digits", ""), bounds) if bounds else None
    return found


def _digits_match(digits: str, bounds: tuple[int, int]) -> GrammarMatch | None:
    low, high = bounds
    if digits and set(digits) <= _DIGITS and low <= len(digits) <= high:
        return GrammarMatch("digits", {"digits": digits})
    return None


def _needs_confirmation(
    ctx: DialogContext, menu: str, match: GrammarMatch, confidence: float
) -> bool:
    # Digits are checked by the store (and a PIN must never be read back); a yes/no is
    # never itself confirmed, or a shaky caller would loop.
    return (
        menu != CONFIRM_MENU
        and match.intent != "digits"
        and match.intent not in ctx.policy.confirm_exempt_intents
        and confidence < ctx.policy.confirm_below
    )


def _masked(ctx: DialogContext, menu: str, raw: str, match: GrammarMatch | None) -> str:
    """What may be logged of ``raw``: in digits menus only a spoken command is kept."""
    if ctx.grammar.is_digits_menu(menu) is None:
        return raw
    if match is not None and match.intent != "digits":
        return raw
    if menu == ACCOUNT_MENU and match is not None:
        return mask_account(match.slots.get("digits", ""))
    return mask_pin(raw)


def _ignored(event: CallerInput) -> TurnRecord:
    # Without a menu we can't tell a PIN from a command, so any content is masked.
    if isinstance(event, Heard):
        return TurnRecord("", "speech", mask_pin(event.text), None, event.confidence, "ignored")
    if isinstance(event, KeysEntered):
        return TurnRecord("", "keys", mask_pin(event.digits), None, None, "ignored")
    return TurnRecord("", "none", "", None, None, "ignored")


def _no_match(ctx: DialogContext, state: CallState, menu: str, turn: TurnRecord) -> Step:
    state, effects = fail(ctx, state, menu, "no_match")
    return state, [RecordTurn(replace(turn, outcome="no_match")), *effects]
