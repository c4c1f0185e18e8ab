"""The ways a conversation ends: warm transfer, goodbye, or the caller hanging up."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.context import DialogContext
from ivr.dialog.effects import HangUp, Play, Transfer, TransferSummary
from ivr.dialog.frustration import shown
from ivr.dialog.messages import DEFAULTS, render
from ivr.dialog.outcomes import URGENT_REASONS, TransferReason
from ivr.dialog.state import CallState, Step


def _transfer_texts(
    ctx: DialogContext, state: CallState, reason: TransferReason
) -> tuple[str, str]:
    """(what the caller hears, what the agent reads)."""
    prompt_key = f"transfer_{reason}" if f"transfer_{reason}" in DEFAULTS else "transfer_default"
    if state.verified and f"{prompt_key}_verified" in DEFAULTS:
        # Only a caller who proved who they are is told what can be done to their account.
        prompt_key = f"{prompt_key}_verified"
    summary_key = f"summary_{reason}" if f"summary_{reason}" in DEFAULTS else "summary_default"
    until = f" until {state.locked_until_iso}" if state.locked_until_iso else ""
    summary = render(
        ctx,
        summary_key,
        reason=reason,
        menu=state.menu or "",
        failures=state.total_failures,
        until=until,
    )
    return render(ctx, prompt_key), summary


def transfer(ctx: DialogContext, state: CallState, reason: TransferReason) -> Step:
    """Tell the caller to hold, then hand the call to an agent with a summary."""
    spoken, why = _transfer_texts(ctx, state, reason)
    summary = TransferSummary(
        caller=state.caller,
        customer_name=state.customer.name if state.customer else None,
        verified=state.verified,
        reason=why,
        intents_tried=state.intents_tried,
        failed_attempts=state.total_failures,
        frustration=shown(state.signals),
    )
    state = replace(
        state, status="transferred", menu=None, waiting_for=None, confirming=None, outcome=reason
    )
    return state, [
        Play(f"transfer_{reason}", spoken),
        Transfer(reason=reason, urgent=reason in URGENT_REASONS, summary=summary),
    ]


def goodbye(ctx: DialogContext, state: CallState) -> Step:
    """Say goodbye and hang up."""
    reason = "caller_goodbye"
    state = replace(state, status="ended", menu=None, waiting_for=None, outcome=reason)
    return state, [Play("goodbye", render(ctx, "goodbye")), HangUp(reason)]


def caller_hung_up(state: CallState) -> CallState:
    """Final state after the caller hung up; nothing further is said or done."""
    if state.status in ("completed", "abandoned"):
        return state
    # Served or handed over means the caller got what they called for.
    served = state.status in ("transferred", "ended") or state.served > 0
    return replace(
        state,
        status="completed" if served else "abandoned",
        menu=None,
        waiting_for=None,
    )
