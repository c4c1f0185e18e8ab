"""What the engine asks the media-stream session to do, in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ivr.dialog.backend import BackendRequest
from ivr.dialog.outcomes import TransferReason, TurnOutcome

InputKind = Literal["speech", "keys", "none"]


@dataclass(frozen=True)
class Play:
    """Speak ``text`` (the caller may barge in)."""

    prompt_id: str
    text: str
    personal: bool = False
    """The text holds the caller's own data (amounts, an account number): rendered for
    this call only, never cached on disk or kept in memory afterwards."""
    recorded: str | None = None
    """What the call record keeps of the text, when it must be less than was said
    (a read-back account number is recorded masked)."""


@dataclass(frozen=True)
class Listen:
    """After the preceding Plays, accept speech/keys for ``menu_id``.

    ``digits`` is the (min, max) entry length for digits menus, None for one-key choices.
    """

    menu_id: str
    digits: tuple[int, int] | None
    end_silence_ms: int
    no_input_ms: int


@dataclass(frozen=True)
class Request:
    """Send ``request`` to the store; the answer comes back as an event with ``request_id``."""

    request_id: str
    request: BackendRequest


@dataclass(frozen=True)
class TurnRecord:
    """One caller turn for the audit log. ``transcript`` is already masked."""

    menu: str
    input: InputKind
    transcript: str
    intent: str | None
    confidence: float | None
    outcome: TurnOutcome


@dataclass(frozen=True)
class RecordTurn:
    """Persist a turn; the session commits it before playing the next prompt."""

    turn: TurnRecord


@dataclass(frozen=True)
class TransferSummary:
    """What the agent sees when the warm transfer arrives."""

    caller: str
    customer_name: str | None
    verified: bool
    reason: str
    """Human-readable reason."""
    intents_tried: tuple[str, ...]
    failed_attempts: int
    frustration: tuple[str, ...] = ()
    """Signs of frustration the caller showed, in words, whatever the reason."""


@dataclass(frozen=True)
class Transfer:
    """Warm-transfer the call to an agent."""

    reason: TransferReason
    urgent: bool
    summary: TransferSummary


@dataclass(frozen=True)
class HangUp:
    """End the call from our side (after the preceding Plays)."""

    reason: str


Effect = Play | Listen | Request | RecordTurn | Transfer | HangUp
"""Every effect the engine emits."""
