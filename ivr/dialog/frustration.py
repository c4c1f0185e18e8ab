"""Frustration during the call: when to stop self-service and hand the caller to a person.

The agent desk flags frustration after the fact (:mod:`ivr.web.agent.frustration`); these
rules watch the same signals while the call goes on, so a caller who is getting angry
reaches a person before they hang up. Pure and countable, so ops can predict them: each
threshold is in :class:`ivr.dialog.policy.FrustrationLimits` (0 switches that rule off).

Repeated no-match and silence already end self-service through the failure limits
(:mod:`ivr.dialog.escalation`); they are not counted again here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ivr.dialog.anger import anger_words
from ivr.dialog.policy import CONFIRM_MENU, FrustrationLimits


@dataclass(frozen=True)
class Signals:
    """What the caller has shown so far in this call."""

    angry_turns: int = 0
    anger: tuple[str, ...] = ()
    """The words of anger heard, each once, in order (for the agent)."""
    agent_requests: int = 0
    zero_presses: int = 0
    """Zeros pressed at a number prompt (where 0 is a digit, not the agent key) in entries
    that were not a valid number."""


def heard(signals: Signals, menu: str, text: str, intent: str | None) -> Signals:
    """Count one speech turn: its words of anger and whether it asked for a person."""
    words = anger_words(text, live=True)
    if words:
        signals = replace(
            signals,
            angry_turns=signals.angry_turns + 1,
            anger=tuple(dict.fromkeys((*signals.anger, *words))),
        )
    return _asked_for_agent(signals, menu, intent)


def keyed(
    signals: Signals, menu: str, digits: str, intent: str | None, number_prompt: bool
) -> Signals:
    """Count one keypad entry: 0 for the agent, or zeros where 0 cannot mean that."""
    if number_prompt and intent is None and digits and set(digits) == {"0"}:
        return replace(signals, zero_presses=signals.zero_presses + len(digits))
    return _asked_for_agent(signals, menu, intent)


def _asked_for_agent(signals: Signals, menu: str, intent: str | None) -> Signals:
    # "Did you say agent?" "Agent!": one request, asked and then confirmed.
    if intent == "agent" and menu != CONFIRM_MENU:
        return replace(signals, agent_requests=signals.agent_requests + 1)
    return signals


def shown(signals: Signals) -> tuple[str, ...]:
    """Every signal seen, in words for the agent (whatever ended the call's self-service)."""
    found: list[str] = []
    if signals.anger:
        found.append("said: " + ", ".join(f"“{w}”" for w in signals.anger))
    if signals.agent_requests >= 2:
        found.append(f"asked for an agent {signals.agent_requests} times")
    if signals.zero_presses:
        found.append(f"pressed 0 at a number prompt {signals.zero_presses} times")
    return tuple(found)


def escalate(signals: Signals, limits: FrustrationLimits) -> bool:
    """Has the caller shown enough to skip the rest of self-service?"""
    rules = (
        (limits.anger_turns, signals.angry_turns),
        (limits.agent_requests, signals.agent_requests),
        (limits.zero_presses, signals.zero_presses),
    )
    return any(limit and seen >= limit for limit, seen in rules)
