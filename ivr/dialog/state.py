"""The immutable state of one call; every transition returns a new one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ivr.dialog.backend import CustomerInfo, PolicyInfo
from ivr.dialog.effects import Effect, Play, TurnRecord
from ivr.dialog.frustration import Signals
from ivr.dialog.ports import GrammarMatch

CallStatus = Literal["new", "active", "transferred", "ended", "completed", "abandoned"]
"""``new`` before CallStarted; ``active`` while the engine converses; ``transferred`` /
``ended`` once a Transfer / HangUp was emitted (the engine then stays silent); ``completed``
/ ``abandoned`` after the caller hung up (abandoned: before being served or handed over)."""

RequestPurpose = Literal["phone_lookup", "account_lookup", "verify_pin", "balances", "policies"]

PhoneLookup = Literal["none", "pending", "found", "not_found", "failed"]


@dataclass(frozen=True)
class PendingRequest:
    """A store request whose answer has not arrived yet."""

    request_id: str
    purpose: RequestPurpose


@dataclass(frozen=True)
class PendingConfirm:
    """A low-confidence match waiting for the caller's yes/no."""

    menu: str
    """The menu the match was heard at (where a "no" sends the caller back)."""
    match: GrammarMatch
    consecutive_failures: int
    """That menu's failure count, restored so a rejection counts as its next no-match."""


@dataclass(frozen=True)
class CallState:
    """Everything the engine remembers about one call."""

    call_sid: str
    caller: str = ""
    called: str = ""
    status: CallStatus = "new"
    menu: str | None = None
    """The menu being listened for; None while waiting for the store or after the end."""
    waiting_for: RequestPurpose | None = None
    """The store answer the conversation is blocked on, if any."""
    phone_lookup: PhoneLookup = "none"
    customer: CustomerInfo | None = None
    locked_until_iso: str | None = None
    verified: bool = False
    pending_intent: str | None = None
    """What to do once verification succeeds (``balance`` or ``policy``)."""
    confirming: PendingConfirm | None = None
    pending_turn: TurnRecord | None = None
    """A digits turn whose outcome the store decides; recorded when it answers."""
    policies: tuple[PolicyInfo, ...] = ()
    """The caller's policies while they choose one."""
    consecutive_failures: int = 0
    total_failures: int = 0
    intents_tried: tuple[str, ...] = ()
    signals: Signals = field(default_factory=Signals)
    """Signs of frustration so far (anger, repeated agent requests, zeros)."""
    served: int = 0
    """How many answers (balances, policies) the caller was given."""
    last_prompts: tuple[Play, ...] = ()
    """The Plays before the current Listen, replayed on "repeat"."""
    pending: tuple[PendingRequest, ...] = ()
    next_request: int = 0
    """Counter behind the deterministic request ids ``r0``, ``r1``, …"""
    outcome: str | None = None
    """Reason code of the Transfer or HangUp that ended the conversation."""


Step = tuple[CallState, list[Effect]]
"""What every transition returns: the new state and the effects to run, in order."""


def new_call_state(call_sid: str) -> CallState:
    """The state of a call before its CallStarted event."""
    return CallState(call_sid=call_sid)
