"""What a recognized intent does in the menu it was heard in."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.answers import POLICY_CHOICE_MENU
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Effect, Play, TurnRecord
from ivr.dialog.ending import goodbye, transfer
from ivr.dialog.escalation import fail
from ivr.dialog.messages import render
from ivr.dialog.outcomes import TransferReason, TurnOutcome
from ivr.dialog.ports import GrammarMatch
from ivr.dialog.prompting import CONFIRM_MENU, ask, ask_menu, menu_prompt
from ivr.dialog.services import ANYTHING_ELSE_MENU, SERVICES, choose_policy, serve
from ivr.dialog.state import CallState
from ivr.dialog.verification import submit_digits

MAIN_MENU = "main"
POLICY_KINDS = frozenset({"auto", "home", "life"})
# Intents that go straight to a person, ahead of the queue: nothing is blocked or frozen
# by speech alone, the agent does it.
URGENT_INTENTS = {"lost_card": TransferReason.LOST_CARD, "fraud": TransferReason.FRAUD}
# Navigation words tell an agent nothing about why the caller called.
_NOT_WORTH_SUMMARISING = frozenset({"yes", "no", "repeat", "digits", "main_menu"})

Routed = tuple[CallState, list[Effect], TurnOutcome | None]
"""New state, effects, and the turn outcome (None: the turn is recorded later)."""


def route(
    ctx: DialogContext, state: CallState, menu: str, match: GrammarMatch, turn: TurnRecord
) -> Routed | None:
    """Act on ``match`` heard in ``menu``; None when the intent means nothing there."""
    intent = match.intent
    if intent == "digits":
        step = submit_digits(ctx, state, menu, match.slots.get("digits", ""), turn)
        return None if step is None else (*step, None)
    if menu == CONFIRM_MENU and intent in ("yes", "no"):
        return _confirm_answer(ctx, state, intent, turn)
    return _act(ctx, state, menu, intent)


def _note(state: CallState, intent: str) -> CallState:
    if intent in _NOT_WORTH_SUMMARISING or intent in state.intents_tried:
        return state
    return replace(state, intents_tried=(*state.intents_tried, intent))


def _act(ctx: DialogContext, state: CallState, menu: str, intent: str) -> Routed | None:
    state = _note(state, intent)
    if intent == "agent":
        return (*transfer(ctx, state, TransferReason.CALLER_REQUEST), TurnOutcome.MATCHED)
    if intent == "repeat":
        plays = list(state.last_prompts) or menu_prompt(ctx, state, menu, "initial")
        return (*ask(ctx, state, menu, plays, fresh=False), TurnOutcome.MATCHED)
    if intent == "main_menu":
        # Verification is kept: going back to the menu is not a new caller.
        state = replace(state, pending_intent=None, policies=())
        return (*ask_menu(ctx, state, MAIN_MENU), TurnOutcome.MATCHED)
    if intent in SERVICES:
        return (*serve(ctx, state, intent), TurnOutcome.MATCHED)
    if intent in URGENT_INTENTS:
        return (*transfer(ctx, state, URGENT_INTENTS[intent]), TurnOutcome.MATCHED)
    if intent == "goodbye":
        return (*goodbye(ctx, state), TurnOutcome.MATCHED)
    if menu == ANYTHING_ELSE_MENU and intent == "yes":
        return (*ask_menu(ctx, state, MAIN_MENU), TurnOutcome.MATCHED)
    if menu == ANYTHING_ELSE_MENU and intent == "no":
        return (*goodbye(ctx, state), TurnOutcome.MATCHED)
    if menu == POLICY_CHOICE_MENU and intent in POLICY_KINDS:
        step = choose_policy(ctx, state, intent)
        if step is None:
            lead = Play("policy_not_held", render(ctx, "policy_not_held", kind=intent))
            return (*fail(ctx, state, menu, "unavailable", lead), TurnOutcome.UNAVAILABLE)
        return (*step, TurnOutcome.MATCHED)
    return None


def _confirm_answer(
    ctx: DialogContext, state: CallState, answer: str, turn: TurnRecord
) -> Routed | None:
    """Act on a confirmed match, or send a rejected one back to its menu as a no-match."""
    pending = state.confirming
    if pending is None:
        return None
    state = replace(state, confirming=None, consecutive_failures=pending.consecutive_failures)
    if answer == "no":
        return (*fail(ctx, state, pending.menu, "rejected"), TurnOutcome.REJECTED)
    routed = route(ctx, state, pending.menu, pending.match, turn)
    if routed is None:
        return (*fail(ctx, state, pending.menu, "no_match"), TurnOutcome.NO_MATCH)
    new_state, effects, outcome = routed
    return new_state, effects, TurnOutcome.CONFIRMED if outcome == TurnOutcome.MATCHED else outcome
