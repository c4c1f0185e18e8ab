"""What the agent hears before a transferred caller is connected."""

from __future__ import annotations

from typing import Any

from ivr.web.whisper import whisper_text


def call(**transfer: Any) -> dict[str, Any]:
    summary = {
        "caller": "+14155550100",
        "customer_name": "Ada Lovelace",
        "verified": True,
        "intents_tried": ["balance", "policy"],
        "failed_attempts": 2,
    }
    summary.update(transfer.pop("summary", {}))
    return {
        "from": "+14155550100",
        "verified": summary["verified"],
        "customer": summary["customer_name"],
        "transfer": {"reason": "no_match", "urgent": False, "summary": summary, **transfer},
    }


def test_whisper_verified_caller_is_named_with_reason_and_attempts() -> None:
    text = whisper_text(call())
    assert text.startswith("Verified caller Ada Lovelace was not understood twice in a row.")
    assert "They tried: balance, policy status." in text
    assert "2 failed attempts." in text


def test_whisper_unverified_caller_is_identified_by_number_only() -> None:
    text = whisper_text(call(summary={"verified": False}))
    assert "Ada" not in text
    assert "Unverified caller from 1 4 1 5 5 5 5 0 1 0 0" in text


def test_whisper_urgent_lost_card_says_urgent_once_first() -> None:
    text = whisper_text(call(reason="lost_card", urgent=True))
    assert text.startswith("Urgent.")
    assert text.count("Urgent") == 1
    assert "lost or stolen card" in text


def test_whisper_fraud_says_urgent_first_and_why() -> None:
    text = whisper_text(call(reason="fraud", urgent=True))
    assert text.startswith("Urgent.")
    assert "reported suspected fraud" in text


def test_whisper_frustrated_caller_says_why_before_hello() -> None:
    summary = {"verified": False, "frustration": ["said: “ridiculous”"]}
    text = whisper_text(call(reason="frustrated", summary=summary))
    assert "sounded frustrated." in text
    assert text.endswith("Frustrated: said: “ridiculous”.")


def test_whisper_frustration_is_told_whatever_the_reason() -> None:
    summary = {"frustration": ["pressed 0 at a number prompt 2 times"]}
    text = whisper_text(call(reason="lost_card", urgent=True, summary=summary))
    assert text.startswith("Urgent.") and "Frustrated: pressed 0" in text


def test_whisper_unknown_reason_is_still_spoken() -> None:
    assert "mystery" in whisper_text(call(reason="mystery"))
