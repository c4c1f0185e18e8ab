"""How a caller's turn went, and why a call went to an agent: one name for each.

These values are stored with every turn and transfer, and read back by the agent desk, the
whisper, the reports and the frustration rules; they are ``StrEnum`` members so the stored
text and the code can never spell one differently (and compare equal to the plain text a
database row or a JSON document holds).
"""

from __future__ import annotations

from enum import StrEnum


class TurnOutcome(StrEnum):
    """What came of one caller turn."""

    MATCHED = "matched"
    NEEDS_CONFIRMATION = "needs_confirmation"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    """The caller said "no" to "did you say …?"."""
    NO_MATCH = "no_match"
    NO_INPUT = "no_input"
    UNAVAILABLE = "unavailable"
    """Understood, but not something this caller has (a policy kind they do not hold)."""
    VERIFIED = "verified"
    WRONG_PIN = "wrong_pin"
    PIN_LOCKED = "pin_locked"
    FOUND = "found"
    UNKNOWN_ACCOUNT = "unknown_account"
    LOCKED_OUT = "locked_out"
    BACKEND_ERROR = "backend_error"
    ESCALATED = "escalated"
    """Self-service ended on this turn: the caller had shown enough frustration."""
    IGNORED = "ignored"
    """Input while nothing was being listened for (the store was being asked)."""


FAILED_OUTCOMES = frozenset({TurnOutcome.NO_MATCH, TurnOutcome.NO_INPUT})
"""Turns in which the machine did not get what the caller wanted."""


class TransferReason(StrEnum):
    """Why a call was handed to an agent (the machine code; agents read a sentence)."""

    CALLER_REQUEST = "caller_request"
    LOST_CARD = "lost_card"
    FRUSTRATED = "frustrated"
    """The caller was getting angry or kept asking for a person (``ivr.dialog.frustration``)."""
    FRAUD = "fraud"
    """The caller suspects fraud on their account (a charge they don't recognize, a card
    someone else used)."""
    NO_MATCH = "no_match"
    NO_INPUT = "no_input"
    TOO_MANY_FAILURES = "too_many_failures"
    LOCKED_OUT = "locked_out"
    PIN_LOCKED = "pin_locked"
    BACKEND_ERROR = "backend_error"
    TECHNICAL_ERROR = "technical_error"
    """The stream ended without the dialog deciding anything: something failed on our side."""


URGENT_REASONS = frozenset({TransferReason.LOST_CARD, TransferReason.FRAUD})
"""Reasons that jump the agent queue (a lost card or a card being misused must be blocked
before more money goes)."""
