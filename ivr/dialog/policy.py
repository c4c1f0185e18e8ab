"""Tunable thresholds of the dialog, so escalation rules are configuration, not code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SpeechAction = Literal["act", "confirm", "reject"]

CONFIRM_MENU = "confirm"
DIGITS = "digits"


@dataclass(frozen=True)
class FrustrationLimits:
    """How much of each signal (see :mod:`ivr.dialog.frustration`) ends self-service at
    once; 0 switches that rule off."""

    anger_turns: int = 1
    agent_requests: int = 2
    zero_presses: int = 2

    def __post_init__(self) -> None:
        if min(self.anger_turns, self.agent_requests, self.zero_presses) < 0:
            raise ValueError("frustration limits must be 0 (off) or more")


@dataclass(frozen=True)
class DialogPolicy:
    """Confirmation, escalation and listening parameters."""

    confirm_below: float = 0.6
    """Speech matches less confident than this are confirmed ("Did you say …?")."""
    reject_below: float = 0.0
    """Speech matches less confident than this are no-matches: noise and out-of-grammar
    speech forced onto a phrase score low (measured: noise heard as "that's all" at 0.42),
    and confirming them invites a second false accept. Off by default here; the app sets
    it from ``IVR_REJECT_BELOW`` (0.45)."""
    confirm_exempt_intents: frozenset[str] = frozenset()
    """Intents acted on without confirmation even when unsure. Empty by default: it was
    ``repeat`` (replaying costs less than asking), but an unsure "repeat" is mostly speech
    that meant something else, and replaying the menu to it is acting on a guess."""
    max_consecutive_failures: int = 2
    """No-match/no-input in a row at one prompt before transferring."""
    max_total_failures: int = 3
    """Failed intents in one call (no-match, rejected confirmation, unknown account)."""
    open_end_silence_ms: int = 700
    """End-of-speech silence for open menus, where callers pause mid-sentence."""
    short_end_silence_ms: int = 450
    """End-of-speech silence for yes/no and digit menus, whose answers are short."""
    no_input_ms: int = 6000
    short_menus: frozenset[str] = frozenset({"confirm", "anything_else"})
    """Choice menus answered with one word (digits menus are always short)."""
    frustration: FrustrationLimits = FrustrationLimits()
    """When a frustrated caller skips the rest of self-service (see
    :mod:`ivr.dialog.frustration`)."""
    read_back_menus: frozenset[str] = frozenset({"account_number"})
    """Digits menus whose spoken numbers are read back for a yes/no before they are used:
    an account number misheard by one digit is caught by the caller, not by the store.
    (A PIN is never read back.)"""

    def __post_init__(self) -> None:
        if not 0.0 <= self.confirm_below <= 1.0:
            raise ValueError("confirm_below must be within 0..1")
        if not 0.0 <= self.reject_below <= self.confirm_below:
            raise ValueError("reject_below must be within 0..confirm_below")
        if self.max_consecutive_failures < 1 or self.max_total_failures < 1:
            raise ValueError("failure limits must be at least 1")
        if min(self.open_end_silence_ms, self.short_end_silence_ms, self.no_input_ms) <= 0:
            raise ValueError("timers must be positive")


def speech_action(policy: DialogPolicy, menu: str, intent: str, confidence: float) -> SpeechAction:
    """What the dialog does with ``intent`` heard by voice in ``menu`` at ``confidence``.

    A spoken PIN is never confirmed (it is not read back), and a digit grammar hears almost
    any speech as some digits: below the confirmation level it is rejected (the reprompt asks
    for the keypad), never a wrong PIN that counts towards the lockout. A spoken account
    number is read back for a yes/no (``read_back_menus``). A
    yes/no answer to "did you say …?" is never itself confirmed, or a shaky caller would
    loop: unsure, it is asked again; intents that cost less to act on than to ask about
    (``repeat``) are acted on.
    """
    if intent == DIGITS and menu in policy.read_back_menus:
        return "confirm" if confidence >= policy.reject_below else "reject"
    if intent == DIGITS:
        floor = max(policy.reject_below, policy.confirm_below)
        return "act" if confidence >= floor else "reject"
    if confidence < policy.reject_below:
        return "reject"
    if confidence >= policy.confirm_below or intent in policy.confirm_exempt_intents:
        return "act"
    if menu == CONFIRM_MENU:
        # An unsure answer to "did you say …?" is asked again (the reprompt offers the
        # keys), never acted on: it decides whether something the caller may not have
        # asked for happens.
        return "reject"
    return "confirm"
