"""The call record: idempotent start, ordered turns, transfers and end-status ordering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text

from ivr.store import Store, StoreError
from ivr.store.seed import seed_demo
from tests.store.store_helpers import FakeClock

SID = "CA" + "0" * 32
SUMMARY = {
    "caller": "+15550001111",
    "customer_name": "Ada Lovelace",
    "verified": True,
    "reason_text": "wants to report a stolen card",
    "intents_tried": ["card_lost", "agent"],
    "failed_attempts": 1,
}


@pytest.fixture
def call(store: Store) -> str:
    assert store.start_call(SID, "+15550001111", "+18005550000")
    return SID


def test_start_call_same_sid_twice_second_is_noop(store: Store, clock: FakeClock) -> None:
    assert store.start_call(SID, "+15550001111", "+18005550000")
    first = store.get_call(SID)
    clock.advance(seconds=5)
    assert not store.start_call(SID, "+19999999999", "+18888888888")
    assert store.get_call(SID) == first


def test_start_call_new_call_in_progress(store: Store, call: str, clock: FakeClock) -> None:
    record = store.get_call(call)
    assert record is not None
    assert record["status"] == "in-progress"
    assert record["started_at"] == clock.now.isoformat()
    assert record["ended_at"] is None
    assert record["turns"] == [] and record["transfer"] is None


def test_record_turn_numbers_turns_in_order(store: Store, call: str) -> None:
    seqs = [
        store.record_turn(call, "main", "speech", f"utterance {i}", "balance", 0.9, "matched")
        for i in range(5)
    ]
    assert seqs == [1, 2, 3, 4, 5]
    record = store.get_call(call)
    assert record is not None
    assert [(t["seq"], t["transcript"]) for t in record["turns"]] == [
        (i + 1, f"utterance {i}") for i in range(5)
    ]


def test_record_turn_separate_calls_number_independently(store: Store, call: str) -> None:
    other = "CA" + "1" * 32
    store.start_call(other, "+15550002222", "+18005550000")
    assert store.record_turn(call, "main", "none", "", None, None, "no_input") == 1
    assert store.record_turn(other, "main", "none", "", None, None, "no_input") == 1
    assert store.record_turn(call, "main", "none", "", None, None, "no_input") == 2


def test_record_turn_committed_before_return_visible_to_other_engine(
    store: Store, call: str, make_store: Callable[..., Store]
) -> None:
    other_process = make_store()  # its own engine and connection pool
    store.record_turn(call, "main", "keys", "1", "balance", None, "matched")
    record = other_process.get_call(call)
    assert record is not None and len(record["turns"]) == 1
    with other_process.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM turns")).scalar_one() == 1


@pytest.mark.parametrize("menu", ["pin", "PIN", "pin_retry"])
def test_record_turn_pin_menu_transcript_masked(store: Store, call: str, menu: str) -> None:
    store.record_turn(call, menu, "keys", "2468", "pin_entered", None, "pin_ok")
    store.record_turn(call, "main", "speech", "check my balance", "balance", 0.8, "matched")
    record = store.get_call(call)
    assert record is not None
    assert [t["transcript"] for t in record["turns"]] == ["****", "check my balance"]
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT transcript FROM turns")).scalars().all()
    assert not any("2468" in t for t in stored)


def test_record_turn_unknown_input_kind_rejected(store: Store, call: str) -> None:
    with pytest.raises(ValueError):
        store.record_turn(call, "main", "dtmf", "1", None, None, "matched")


def test_record_turn_unknown_call_raises_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown call"):
        store.record_turn("CAnope", "main", "keys", "1", None, None, "matched")


def test_record_prompt_several_kept_in_play_order(store: Store, call: str) -> None:
    for i in range(3):
        store.record_prompt(call, f"menu-{i}", f"prompt {i}")
    record = store.get_call(call)
    assert record is not None
    assert [(p["mark"], p["text"]) for p in record["prompts"]] == [
        (f"menu-{i}", f"prompt {i}") for i in range(3)
    ]


def test_record_prompt_unknown_call_raises_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown call"):
        store.record_prompt("CAnope", "welcome-1", "Welcome.")


def test_end_call_after_transfer_keeps_transferred(
    store: Store, call: str, clock: FakeClock
) -> None:
    # The real order: transfer recorded, the stream stops, and Twilio's status callback
    # reports 'completed' once the agent conversation is over.
    store.record_transfer(call, "agent_requested", False, SUMMARY)
    clock.advance(seconds=1)
    stream_stopped = clock.now
    store.end_call(call, "completed")
    clock.advance(minutes=10)
    store.end_call(call, "completed")

    record = store.get_call(call)
    assert record is not None
    assert record["status"] == "transferred"
    assert record["ended_at"] == stream_stopped.isoformat()


def test_record_transfer_after_end_still_transferred(store: Store, call: str) -> None:
    store.end_call(call, "completed")
    store.record_transfer(call, "technical_error", False, SUMMARY)
    record = store.get_call(call)
    assert record is not None and record["status"] == "transferred"


def test_end_call_abandoned_after_twilio_completed_keeps_abandoned(store: Store, call: str) -> None:
    # Twilio's callback may beat the stream's stop event; the dialog knows better.
    store.end_call(call, "completed")
    store.end_call(call, "abandoned")
    store.end_call(call, "completed")
    record = store.get_call(call)
    assert record is not None and record["status"] == "abandoned"


def test_end_call_unknown_sid_is_noop(store: Store) -> None:
    store.end_call("CAunknown", "completed")
    assert store.get_call("CAunknown") is None


def test_end_call_in_progress_status_rejected(store: Store, call: str) -> None:
    with pytest.raises(ValueError):
        store.end_call(call, "in-progress")


def test_record_transfer_twice_keeps_first(store: Store, call: str) -> None:
    store.record_transfer(call, "agent_requested", True, SUMMARY)
    store.record_transfer(call, "technical_error", False, {"caller": "x"})
    record = store.get_call(call)
    assert record is not None and record["transfer"] is not None
    assert record["transfer"]["reason"] == "agent_requested"
    assert record["transfer"]["summary"] == SUMMARY


def test_set_dial_status_without_transfer_is_noop(store: Store, call: str) -> None:
    store.set_dial_status(call, "no-answer")
    record = store.get_call(call)
    assert record is not None and record["transfer"] is None


def test_get_call_full_call_has_api_shape(store: Store, clock: FakeClock) -> None:
    seed_demo(store)
    ada = store.find_customer_by_phone("+14155550100")
    assert ada is not None
    start = clock.now
    store.start_call(SID, "+14155550100", "+18005550000")
    store.set_call_server(SID, "vosk", "ivr-2")
    store.set_call_customer(SID, ada.id, True)
    clock.advance(seconds=1)
    store.record_prompt(SID, "welcome-1", "Welcome to the hotline.")
    clock.advance(seconds=2)
    store.record_turn(SID, "main", "speech", "talk to someone", "agent", 0.82, "matched")
    clock.advance(seconds=2)
    store.record_transfer(SID, "agent_requested", True, SUMMARY)
    store.set_dial_status(SID, "completed")
    store.end_call(SID, "completed")
    store.set_disposition(SID, "card blocked", "agent-7")

    assert store.get_call(SID) == {
        "call_sid": SID,
        "from": "+14155550100",
        "to": "+18005550000",
        "status": "transferred",
        "verified": True,
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(seconds=5)).isoformat(),
        "customer": "Ada Lovelace",
        "asr_engine": "vosk",
        "instance": "ivr-2",
        "turns": [
            {
                "seq": 1,
                "menu": "main",
                "input": "speech",
                "transcript": "talk to someone",
                "intent": "agent",
                "confidence": 0.82,
                "outcome": "matched",
                "at": (start + timedelta(seconds=3)).isoformat(),
            }
        ],
        "prompts": [
            {
                "mark": "welcome-1",
                "text": "Welcome to the hotline.",
                "at": (start + timedelta(seconds=1)).isoformat(),
            }
        ],
        "transfer": {
            "reason": "agent_requested",
            "urgent": True,
            "summary": SUMMARY,
            "created_at": (start + timedelta(seconds=5)).isoformat(),
            "dial_status": "completed",
        },
        "disposition_note": "card blocked",
        "taken_by": "agent-7",
    }


def test_list_calls_several_calls_newest_first(store: Store, clock: FakeClock) -> None:
    for i in range(3):
        store.start_call(f"CA{i}", "+15550001111", "+18005550000")
        clock.advance(seconds=10)
    store.record_turn("CA1", "main", "none", "", None, None, "no_input")
    store.record_transfer("CA1", "no_input", False, SUMMARY)

    rows = store.list_calls()
    assert [r["call_sid"] for r in rows] == ["CA2", "CA1", "CA0"]
    assert rows[1] == {
        "call_sid": "CA1",
        "from": "+15550001111",
        "to": "+18005550000",
        "status": "transferred",
        "verified": False,
        "started_at": (clock.now - timedelta(seconds=20)).isoformat(),
        "ended_at": None,
        "customer": None,
        "turn_count": 1,
        "transfer_reason": "no_input",
    }
    assert [r["call_sid"] for r in store.list_calls(limit=2)] == ["CA2", "CA1"]


@pytest.mark.parametrize("limit", [0, 501])
def test_list_calls_limit_out_of_range_rejected(store: Store, limit: int) -> None:
    with pytest.raises(ValueError):
        store.list_calls(limit)
