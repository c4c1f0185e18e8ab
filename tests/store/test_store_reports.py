"""The no-match report over a seeded store (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.store import Store, StoreError, make_engine
from ivr.store.reports import NOTHING_RECOGNIZED, nomatch_report, utterance_label
from tests.store.store_helpers import FakeClock

SID1 = "CA" + "1" * 32
SID2 = "CA" + "2" * 32


def seed_turns(store: Store, clock: FakeClock) -> None:
    """Two calls: day one at main and confirm, day two at main and pin."""
    store.start_call(SID1, "+14155550100", "+18005550000")
    for turn in [
        ("main", "speech", "", None, 0.0, "no_match"),
        ("main", "speech", "my mortgage", None, 0.7, "no_match"),
        ("main", "speech", "", None, 0.0, "no_match"),
        ("main", "speech", "what is my balance", "balance", 0.9, "matched"),
        ("confirm", "none", "", None, None, "no_input"),
        ("confirm", "speech", "yes", "yes", 0.9, "matched"),
    ]:
        store.record_turn(SID1, *turn)
    clock.advance(days=1)
    store.start_call(SID2, "+14155550101", "+18005550000")
    for turn in [
        ("main", "keys", "9", None, None, "no_match"),
        ("main", "speech", "my mortgage", None, 0.6, "no_match"),
        ("main", "none", "", None, None, "no_input"),
        ("pin", "speech", "one two", None, 0.8, "no_match"),
        ("", "keys", "****", None, None, "ignored"),
    ]:
        store.record_turn(SID2, *turn)


def test_report_counts_turns_no_match_and_no_input_per_menu(store: Store, clock: FakeClock) -> None:
    seed_turns(store, clock)
    report = nomatch_report(store.engine)
    by_menu = {m.menu: m for m in report.menus}
    assert list(by_menu) == ["main", "pin", "confirm"]  # most no-matches first
    main = by_menu["main"]
    assert (main.turns, main.no_match, main.no_input) == (7, 5, 1)
    assert main.no_match_rate == pytest.approx(5 / 7)
    assert main.no_input_rate == pytest.approx(1 / 7)
    assert [(u.text, u.count) for u in main.unrecognized] == [
        (NOTHING_RECOGNIZED, 2),
        ("my mortgage", 2),
        ("(pressed 9)", 1),
    ]
    confirm = by_menu["confirm"]
    assert (confirm.turns, confirm.no_match, confirm.no_input, confirm.unrecognized) == (
        2,
        0,
        1,
        (),
    )


def test_report_pin_menu_transcripts_stay_masked(store: Store, clock: FakeClock) -> None:
    seed_turns(store, clock)
    pin = next(m for m in nomatch_report(store.engine).menus if m.menu == "pin")
    assert [(u.text, u.count) for u in pin.unrecognized] == [("****", 1)]


def test_report_since_leaves_out_older_turns(store: Store, clock: FakeClock) -> None:
    seed_turns(store, clock)
    report = nomatch_report(store.engine, since=datetime(2026, 3, 2, tzinfo=UTC))
    main = next(m for m in report.menus if m.menu == "main")
    assert (main.turns, main.no_match, main.no_input) == (3, 2, 1)
    assert {m.menu for m in report.menus} == {"main", "pin"}


def test_report_top_limits_phrases_per_menu(store: Store, clock: FakeClock) -> None:
    seed_turns(store, clock)
    main = next(m for m in nomatch_report(store.engine, top=1).menus if m.menu == "main")
    assert [u.text for u in main.unrecognized] == [NOTHING_RECOGNIZED]
    assert main.no_match == 5  # the counts still cover every no-match


def test_report_as_json_is_plain_data(store: Store, clock: FakeClock) -> None:
    seed_turns(store, clock)
    data = nomatch_report(store.engine, since=datetime(2026, 3, 2, tzinfo=UTC)).as_json()
    assert data["since"] == "2026-03-02T00:00:00+00:00"
    assert data["menus"][0] == {
        "menu": "main",
        "turns": 3,
        "no_match": 2,
        "no_input": 1,
        "no_match_rate": 0.6667,
        "no_input_rate": 0.3333,
        "unrecognized": [
            {"text": "(pressed 9)", "count": 1, "recordings": []},
            {"text": "my mortgage", "count": 1, "recordings": []},
        ],
    }


def test_report_empty_store_has_no_menus(store: Store) -> None:
    assert nomatch_report(store.engine).menus == ()


def test_report_database_without_tables_raises_store_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no schema created
    with pytest.raises(StoreError, match="nomatch_report failed"):
        nomatch_report(engine)


@pytest.mark.parametrize(
    ("kind", "transcript", "label"),
    [("speech", "", NOTHING_RECOGNIZED), ("keys", "42", "(pressed 42)"), ("speech", "hi", "hi")],
)
def test_report_utterance_label(kind: str, transcript: str, label: str) -> None:
    assert utterance_label(kind, transcript) == label
