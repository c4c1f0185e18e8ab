"""The words an agent hears before a transferred caller is connected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ivr.dialog.outcomes import TransferReason

REASONS: dict[str, str] = {
    TransferReason.CALLER_REQUEST: "asked for an agent",
    TransferReason.LOST_CARD: "reported a lost or stolen card",
    TransferReason.FRAUD: "reported suspected fraud",
    TransferReason.FRUSTRATED: "sounded frustrated",
    TransferReason.NO_MATCH: "was not understood twice in a row",
    TransferReason.NO_INPUT: "did not answer twice in a row",
    TransferReason.TOO_MANY_FAILURES: "had repeated trouble with the menu",
    TransferReason.PIN_LOCKED: "entered a wrong PIN three times; self-service is now locked",
    TransferReason.LOCKED_OUT: "is locked out of self-service after wrong PINs",
    TransferReason.BACKEND_ERROR: "could not be served because our systems failed",
    TransferReason.TECHNICAL_ERROR: "was transferred after a technical problem",
}
"""Every transfer reason, as the agent hears it."""

INTENT_WORDS = {
    "balance": "balance",
    "policy": "policy status",
    "lost_card": "lost card",
    "fraud": "fraud",
    "agent": "agent",
    "goodbye": "goodbye",
}


def spoken_number(number: str) -> str:
    """Read a phone number digit by digit (``+14155550100`` → ``1 4 1 5 …``)."""
    return " ".join(ch for ch in number if ch.isdigit()) or "an unknown number"


def whisper_text(call: Mapping[str, Any]) -> str:
    """Who is calling (name if verified, else the number), why, and what they tried."""
    transfer = call.get("transfer") or {}
    summary = transfer.get("summary") or {}
    verified = bool(call.get("verified") or summary.get("verified"))
    name = summary.get("customer_name") or call.get("customer")
    number = str(call.get("from") or summary.get("caller") or "")
    who = (
        f"Verified caller {name}"
        if verified and name
        else f"Unverified caller from {spoken_number(number)}"
    )
    reason = REASONS.get(
        str(transfer.get("reason")), str(transfer.get("reason") or "was transferred")
    )
    tried = [
        INTENT_WORDS.get(i, str(i).replace("_", " ")) for i in summary.get("intents_tried", [])
    ]
    parts = [f"{who} {reason}."]
    if tried:
        parts.append("They tried: " + ", ".join(dict.fromkeys(tried)) + ".")
    failed = int(summary.get("failed_attempts") or 0)
    if failed:
        parts.append(f"{failed} failed attempt{'s' if failed != 1 else ''}.")
    shown = [str(s) for s in summary.get("frustration") or ()]
    if shown:
        # Whatever the reason, the agent should know before hello.
        parts.append("Frustrated: " + "; ".join(shown) + ".")
    if transfer.get("urgent"):
        parts.insert(0, "Urgent.")
    return " ".join(parts)
