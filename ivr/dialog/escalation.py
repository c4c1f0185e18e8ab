"""Failure counting: reprompt a confused caller, or hand them to a person."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Play
from ivr.dialog.ending import transfer
from ivr.dialog.outcomes import TransferReason
from ivr.dialog.prompting import ask, menu_prompt
from ivr.dialog.state import CallState, Step

FailureKind = Literal["no_match", "no_input", "rejected", "unknown_account", "unavailable"]

# Silence is not a failed intent (the caller may be looking for a card), but it does count
# towards "twice in a row at one prompt".
_STREAK = frozenset({"no_match", "no_input", "rejected", "unavailable"})
# A wrong account number is a failed intent, yet recognition worked, so it doesn't break
# the streak rule: the reprompt is about the number, not about being understood.
_TOTAL = frozenset({"no_match", "rejected", "unknown_account", "unavailable"})


def fail(ctx: DialogContext, state: CallState, menu: str, kind: FailureKind, *lead: Play) -> Step:
    """Count one failure at ``menu``, then reprompt it or transfer."""
    state = replace(
        state,
        menu=menu,
        consecutive_failures=state.consecutive_failures + (kind in _STREAK),
        total_failures=state.total_failures + (kind in _TOTAL),
    )
    policy = ctx.policy
    if state.total_failures >= policy.max_total_failures:
        return transfer(ctx, state, TransferReason.TOO_MANY_FAILURES)
    if state.consecutive_failures >= policy.max_consecutive_failures:
        return transfer(
            ctx, state, TransferReason.NO_INPUT if kind == "no_input" else TransferReason.NO_MATCH
        )
    plays = menu_prompt(ctx, state, menu, "no_input" if kind == "no_input" else "reprompt")
    return ask(ctx, state, menu, [*lead, *plays], fresh=False)
