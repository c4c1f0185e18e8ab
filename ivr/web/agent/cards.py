"""A transferred call as the agent desk shows it: one card, built from the call record.

Pure: the store's :class:`~ivr.store.views.CallRecord` in, a :class:`TransferCard` out.
Transcripts are shown as stored — the dialog and the store have already replaced PIN
digits with ``****`` and account numbers with their last digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ivr.dialog.outcomes import URGENT_REASONS, TransferReason, TurnOutcome
from ivr.web.agent.frustration import Frustration, assess
from ivr.web.whisper import INTENT_WORDS, REASONS

FAILED_OUTCOMES = frozenset(
    {
        TurnOutcome.NO_MATCH,
        TurnOutcome.NO_INPUT,
        TurnOutcome.REJECTED,
        TurnOutcome.WRONG_PIN,
        TurnOutcome.PIN_LOCKED,
        TurnOutcome.UNKNOWN_ACCOUNT,
        TurnOutcome.LOCKED_OUT,
        TurnOutcome.BACKEND_ERROR,
    }
)
"""Turn outcomes that count as a failed attempt on the card."""
_RANK_CEILING = 10**15
"""Larger than any epoch-milliseconds value we will meet: ``ceiling - time`` sorts newest first."""


@dataclass(frozen=True)
class TurnLine:
    """One turn of the call, as a row of the card's table."""

    seq: int
    menu: str
    input: str
    transcript: str
    intent: str | None
    confidence: float | None
    outcome: str

    @property
    def failed(self) -> bool:
        """Whether this turn was a failed attempt (not understood, silent, wrong PIN …)."""
        return self.outcome in FAILED_OUTCOMES


@dataclass(frozen=True)
class TransferCard:
    """Everything an agent should know before saying hello."""

    call_sid: str
    caller: str
    customer_name: str | None
    """Only when the caller proved who they are (PIN): an unverified claim is not a name."""
    verified: bool
    reason: str
    reason_text: str
    urgent: bool
    lost_card: bool
    fraud: bool
    started_at: datetime
    transferred_at: datetime
    turns: tuple[TurnLine, ...]
    intents_tried: tuple[str, ...]
    frustration: Frustration
    taken_by: str | None
    note: str | None
    dial_status: str | None

    @property
    def ivr_seconds(self) -> int:
        """Time the caller spent with the machine before the transfer."""
        return max(0, round((self.transferred_at - self.started_at).total_seconds()))

    @property
    def ivr_time(self) -> str:
        """``ivr_seconds`` for people: ``45 s``, ``2 min 05 s``."""
        minutes, seconds = divmod(self.ivr_seconds, 60)
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"

    @property
    def failed_attempts(self) -> int:
        """Failed turns in the call (the rows the card highlights)."""
        return sum(1 for t in self.turns if t.failed)

    def rank_for(self, agent: str) -> str:
        """Sort key on ``agent``'s desk, ascending: calls still open or taken by this agent
        before those other agents have, urgent first, then newest first.

        A string, so the page's script orders live updates exactly as the server did.
        """
        elsewhere = self.taken_by is not None and self.taken_by != agent
        millis = int(self.transferred_at.timestamp() * 1000)
        return f"{int(elsewhere)}{int(not self.urgent)}{_RANK_CEILING - millis:016d}"


def build_card(call: Mapping[str, Any]) -> TransferCard | None:
    """The card for a call record, or None if the call was never transferred."""
    transfer = call.get("transfer")
    if not transfer:
        return None
    summary: Mapping[str, Any] = transfer.get("summary") or {}
    reason = str(transfer.get("reason") or "")
    verified = bool(call.get("verified"))
    name = call.get("customer") or summary.get("customer_name")
    turns = tuple(_turn_line(t) for t in call.get("turns") or ())
    tried = [str(i) for i in summary.get("intents_tried") or ()]
    return TransferCard(
        call_sid=str(call["call_sid"]),
        caller=str(call.get("from") or summary.get("caller") or ""),
        customer_name=str(name) if verified and name else None,
        verified=verified,
        reason=reason,
        reason_text=reason_text(reason, summary),
        # A lost card or fraud is urgent whatever the dialog said: every minute costs money.
        urgent=bool(transfer.get("urgent")) or reason in URGENT_REASONS,
        lost_card=reason == TransferReason.LOST_CARD,
        fraud=reason == TransferReason.FRAUD,
        started_at=datetime.fromisoformat(str(call["started_at"])),
        transferred_at=datetime.fromisoformat(str(transfer["created_at"])),
        turns=turns,
        intents_tried=tuple(dict.fromkeys(INTENT_WORDS.get(i, i.replace("_", " ")) for i in tried)),
        frustration=assess(call.get("turns") or (), summary.get("frustration") or ()),
        taken_by=call.get("taken_by"),
        note=call.get("disposition_note"),
        dial_status=transfer.get("dial_status"),
    )


def reason_text(reason: str, summary: Mapping[str, Any]) -> str:
    """Why the call came to an agent, as a sentence start (``Asked for an agent``)."""
    text = REASONS.get(reason) or str(
        summary.get("reason") or summary.get("reason_text") or reason.replace("_", " ")
    )
    return text[:1].upper() + text[1:] if text else "Transferred"


def sorted_cards(cards: list[TransferCard], agent: str) -> list[TransferCard]:
    """Cards in the order ``agent``'s desk shows them (see :meth:`TransferCard.rank_for`)."""
    return sorted(cards, key=lambda c: c.rank_for(agent))


def _turn_line(turn: Mapping[str, Any]) -> TurnLine:
    return TurnLine(
        seq=int(turn.get("seq") or 0),
        menu=str(turn.get("menu") or ""),
        input=str(turn.get("input") or ""),
        transcript=str(turn.get("transcript") or ""),
        intent=turn.get("intent"),
        confidence=turn.get("confidence"),
        outcome=str(turn.get("outcome") or ""),
    )
