"""Plain values the store returns: never ORM objects, never PIN hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict


@dataclass(frozen=True)
class CustomerView:
    """A customer as the dialog needs it to greet and to decide whether to ask for a PIN."""

    id: int
    name: str
    locked: bool
    """PIN entry is locked out right now (``locked_until`` is in the future)."""
    locked_until: datetime | None


@dataclass(frozen=True)
class PinResult:
    """Outcome of one PIN attempt."""

    ok: bool
    locked: bool
    """The customer or the calling phone is (now) locked out; say so and offer an agent."""
    attempts_left: int
    """Wrong PINs left before lockout (the stricter of customer and caller counters)."""


@dataclass(frozen=True)
class AccountView:
    """A bank account as it may be read out to a verified caller."""

    kind: str
    last4: str
    balance_cents: int


@dataclass(frozen=True)
class PolicyView:
    """An insurance policy as it may be read out to a verified caller."""

    number: str
    kind: str
    status: str
    premium_cents: int
    next_due: date | None


class StoredTurn(TypedDict):
    """One turn as stored, in :class:`CallRecord` (what the dialog sent as a
    :class:`ivr.dialog.effects.TurnRecord`, with its place and time); times are ISO 8601
    strings in UTC."""

    seq: int
    menu: str
    input: str
    transcript: str
    intent: str | None
    confidence: float | None
    outcome: str
    at: str


class PromptRecord(TypedDict):
    """One prompt played to the caller in :class:`CallRecord`."""

    mark: str
    text: str
    at: str


class TransferRecord(TypedDict):
    """The transfer in :class:`CallRecord`; ``summary`` is the decoded JSON object."""

    reason: str
    urgent: bool
    summary: dict[str, Any]
    created_at: str
    dial_status: str | None


CallSummary = TypedDict(
    "CallSummary",
    {
        "call_sid": str,
        "from": str,
        "to": str,
        "status": str,
        "verified": bool,
        "started_at": str,
        "ended_at": str | None,
        "customer": str | None,
        "turn_count": int,
        "transfer_reason": str | None,
    },
)
"""One row of the call list (``from`` is a keyword, hence the functional syntax)."""

CallRecord = TypedDict(
    "CallRecord",
    {
        "call_sid": str,
        "from": str,
        "to": str,
        "status": str,
        "verified": bool,
        "started_at": str,
        "ended_at": str | None,
        "customer": str | None,
        "asr_engine": str | None,
        "instance": str | None,
        "turns": list[StoredTurn],
        "prompts": list[PromptRecord],
        "transfer": TransferRecord | None,
        "disposition_note": str | None,
        "taken_by": str | None,
    },
)
"""Everything recorded about one call, JSON-ready, as the API serves it."""
