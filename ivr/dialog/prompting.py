"""Asking a menu: which sentences to play and how to listen afterwards."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from ivr.dialog.answers import POLICY_CHOICE_MENU, policy_choice_options
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Listen, Play
from ivr.dialog.masking import mask_account
from ivr.dialog.messages import render
from ivr.dialog.policy import CONFIRM_MENU, DIGITS
from ivr.dialog.speech import say_digits
from ivr.dialog.state import CallState, Step

__all__ = [
    "CONFIRM_MENU",
    "PromptKind",
    "ask",
    "ask_menu",
    "confirm_question",
    "listen_for",
    "menu_prompt",
]

PromptKind = Literal["initial", "reprompt", "no_input"]


def confirm_question(ctx: DialogContext, state: CallState) -> Play:
    """``Did you say …?`` for the match awaiting confirmation; a spoken number is read back
    digit by digit (``I heard 0 0 0 0 1 2 3 4 …``), recorded masked."""
    pending = state.confirming
    if pending is None:
        phrase = ""
    elif pending.match.intent == DIGITS:
        digits = pending.match.slots.get(DIGITS, "")
        spoken = render(ctx, "confirm_digits", digits=say_digits(digits))
        masked = render(ctx, "confirm_digits", digits=mask_account(digits))
        return Play("confirm_digits", spoken, personal=True, recorded=masked)
    else:
        intent = pending.match.intent
        phrase = ctx.grammar.confirm_phrase(pending.menu, intent) or intent.replace("_", " ")
    return Play("confirm_question", render(ctx, "confirm_question", phrase=phrase))


def menu_prompt(ctx: DialogContext, state: CallState, menu: str, kind: PromptKind) -> list[Play]:
    """The Plays that ask ``menu``; dynamic menus append what the static prompt can't know."""
    prompts = ctx.grammar.prompts(menu)
    text = {"initial": prompts.initial, "reprompt": prompts.reprompt, "no_input": prompts.no_input}
    plays: list[Play] = []
    # The confirm question is the confirm menu's initial prompt; its static prompts only
    # explain how to answer, so they precede the question on a reprompt.
    if menu != CONFIRM_MENU or kind != "initial":
        plays.append(Play(f"{menu}_{kind}", text[kind]))
    if menu == CONFIRM_MENU:
        plays.append(confirm_question(ctx, state))
    elif menu == POLICY_CHOICE_MENU:
        plays.append(Play("policy_choice_options", policy_choice_options(ctx, state.policies)))
    return plays


def listen_for(ctx: DialogContext, menu: str) -> Listen:
    """Listen parameters: short end-of-speech where answers are a word or digits."""
    digits = ctx.grammar.is_digits_menu(menu)
    policy = ctx.policy
    short = digits is not None or menu in policy.short_menus
    return Listen(
        menu_id=menu,
        digits=digits,
        end_silence_ms=policy.short_end_silence_ms if short else policy.open_end_silence_ms,
        no_input_ms=policy.no_input_ms,
    )


def ask(ctx: DialogContext, state: CallState, menu: str, plays: list[Play], *, fresh: bool) -> Step:
    """Play ``plays`` then listen for ``menu``.

    ``fresh`` starts a new prompt (failure streak reset); a reprompt keeps the streak so
    "two in a row at one prompt" can be counted.
    """
    state = replace(
        state,
        menu=menu,
        waiting_for=None,
        last_prompts=tuple(plays),
        consecutive_failures=0 if fresh else state.consecutive_failures,
        confirming=state.confirming if menu == CONFIRM_MENU else None,
    )
    return state, [*plays, listen_for(ctx, menu)]


def ask_menu(ctx: DialogContext, state: CallState, menu: str, *lead: Play) -> Step:
    """Ask ``menu`` afresh with its initial prompt, after any ``lead`` sentences."""
    return ask(ctx, state, menu, [*lead, *menu_prompt(ctx, state, menu, "initial")], fresh=True)
