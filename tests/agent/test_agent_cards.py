"""Transfer cards: who, why, how long, what happened, in the desk's order; rendered safely."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from ivr.store.agents import AgentSessionView
from ivr.web.agent.cards import build_card, reason_text, sorted_cards
from ivr.web.agent.render import render_card

SID = "CA" + "a" * 32


def record(**changes: Any) -> dict[str, Any]:
    """A call record as Store.get_call returns it, for a verified caller who asked for an agent."""
    call: dict[str, Any] = {
        "call_sid": SID,
        "from": "+14155550100",
        "to": "+15005550006",
        "status": "transferred",
        "verified": True,
        "started_at": "2026-03-01T09:00:00+00:00",
        "ended_at": None,
        "customer": "Ada Lovelace",
        "asr_engine": "pocketsphinx",
        "turns": [
            _turn(1, "main", "speech", "what is my balance", "balance", "matched"),
            _turn(2, "pin", "keys", "****", "digits", "verified"),
            _turn(3, "anything_else", "speech", "", None, "no_match"),
            _turn(4, "anything_else", "speech", "agent", "agent", "matched"),
        ],
        "prompts": [],
        "transfer": {
            "reason": "caller_request",
            "urgent": False,
            "summary": {"intents_tried": ["balance", "agent"], "failed_attempts": 1},
            "created_at": "2026-03-01T09:02:05+00:00",
            "dial_status": None,
        },
        "disposition_note": None,
        "taken_by": None,
    }
    call.update(changes)
    return call


def _turn(
    seq: int, menu: str, kind: str, transcript: str, intent: str | None, outcome: str
) -> dict[str, Any]:
    return {
        "seq": seq,
        "menu": menu,
        "input": kind,
        "transcript": transcript,
        "intent": intent,
        "confidence": 0.8 if kind == "speech" else None,
        "outcome": outcome,
        "at": "2026-03-01T09:01:00+00:00",
    }


def with_transfer(**changes: Any) -> dict[str, Any]:
    call = record()
    call["transfer"] = {**call["transfer"], **changes}
    return call


AGENT = AgentSessionView("ada.agent", "csrf-token-for-tests", datetime(2026, 3, 1, 17))


def test_card_call_without_transfer_is_none() -> None:
    assert build_card(record(transfer=None)) is None


def test_card_verified_caller_shows_name_reason_time_and_turns() -> None:
    card = build_card(record())
    assert card is not None
    assert (card.customer_name, card.verified, card.caller) == (
        "Ada Lovelace",
        True,
        "+14155550100",
    )
    assert card.reason_text == "Asked for an agent"
    assert card.ivr_seconds == 125 and card.ivr_time == "2 min 05 s"
    assert [t.menu for t in card.turns] == ["main", "pin", "anything_else", "anything_else"]
    assert card.intents_tried == ("balance", "agent")
    assert card.failed_attempts == 1
    assert not card.urgent and not card.lost_card


def test_card_unverified_caller_gets_no_name() -> None:
    # Caller ID alone matched a customer: a claim, not an identity.
    card = build_card(record(verified=False))
    assert card is not None and card.customer_name is None and not card.verified


def test_card_lost_card_is_urgent_and_flagged() -> None:
    card = build_card(with_transfer(reason="lost_card", urgent=True))
    assert card is not None and card.urgent and card.lost_card
    assert card.reason_text == "Reported a lost or stolen card"


def test_card_lost_card_is_urgent_even_if_not_marked() -> None:
    card = build_card(with_transfer(reason="lost_card", urgent=False))
    assert card is not None and card.urgent


def test_card_fraud_is_urgent_and_flagged_as_fraud_not_lost_card() -> None:
    card = build_card(with_transfer(reason="fraud", urgent=False))
    assert card is not None and card.urgent and card.fraud and not card.lost_card
    assert card.reason_text == "Reported suspected fraud"


def test_card_frustration_seen_during_the_call_flags_the_card() -> None:
    # Zeros at the PIN prompt are masked in the turns: only the call itself saw them.
    call = with_transfer(reason="frustrated")
    call["transfer"]["summary"] = {
        **call["transfer"]["summary"],
        "frustration": ["pressed 0 at a number prompt 2 times"],
    }
    card = build_card(call)
    assert card is not None and card.frustration.flagged
    assert "pressed 0 at a number prompt 2 times" in card.frustration.reasons
    assert card.reason_text == "Sounded frustrated"


def test_card_short_ivr_time_in_seconds() -> None:
    card = build_card(with_transfer(created_at="2026-03-01T09:00:45+00:00"))
    assert card is not None and card.ivr_time == "45 s"


def test_card_technical_transfer_reason_and_no_turns() -> None:
    call = record(turns=[], verified=False)
    call["transfer"] = {**call["transfer"], "reason": "technical_error", "summary": {}}
    card = build_card(call)
    assert card is not None
    assert card.reason_text == "Was transferred after a technical problem"
    assert card.turns == () and card.failed_attempts == 0 and not card.frustration.flagged


def test_reason_text_unknown_code_falls_back_to_summary_then_code() -> None:
    assert reason_text("fraud_alert", {"reason": "fraud suspected"}) == "Fraud suspected"
    assert reason_text("fraud_alert", {}) == "Fraud alert"


def test_card_frustration_from_turns() -> None:
    call = record()
    call["turns"].append(_turn(5, "main", "speech", "this is useless", None, "no_match"))
    card = build_card(call)
    assert card is not None and card.frustration.flagged


def _card_at(minute: int, *, urgent: bool = False, taken_by: str | None = None) -> Any:
    call = with_transfer(created_at=f"2026-03-01T09:{minute:02d}:00+00:00", urgent=urgent)
    call["call_sid"] = f"CA{minute:032d}"
    call["taken_by"] = taken_by
    return build_card(call)


def test_cards_sorted_open_urgent_newest_first() -> None:
    old_urgent = _card_at(1, urgent=True)
    new_urgent = _card_at(2, urgent=True)
    newest = _card_at(5)
    older = _card_at(3)
    taken_elsewhere = _card_at(9, urgent=True, taken_by="bo.agent")
    mine = _card_at(4, taken_by="ada.agent")
    cards = [older, taken_elsewhere, old_urgent, newest, mine, new_urgent]
    order = sorted_cards(cards, "ada.agent")
    assert order == [new_urgent, old_urgent, newest, mine, older, taken_elsewhere]


def test_render_card_masked_pin_stays_masked_and_text_is_escaped() -> None:
    call = record()
    call["turns"][0]["transcript"] = "<script>alert(1)</script>"
    card = build_card(call)
    assert card is not None
    html = render_card(AGENT, card)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "****" in html
    assert 'data-rank="' in html and f'id="call-{SID}"' in html


@pytest.mark.parametrize(
    ("taken_by", "expected", "absent"),
    [
        (None, "Take call", "Save note"),
        ("ada.agent", "Save note", "Take call"),
        ("bo.agent", "Taken by <strong>bo.agent</strong>", "Save note"),
    ],
)
def test_render_card_actions_depend_on_who_has_the_call(
    taken_by: str | None, expected: str, absent: str
) -> None:
    card = build_card(record(taken_by=taken_by))
    assert card is not None
    html = render_card(AGENT, card)
    assert expected in html and absent not in html


def test_render_card_forms_carry_the_session_csrf_token() -> None:
    card = build_card(copy.deepcopy(record()))
    assert card is not None
    assert 'name="csrf" value="csrf-token-for-tests"' in render_card(AGENT, card)
