"""``ivr report nomatch`` over ``IVR_DATABASE_URL``, as text and as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.store import Store

SID = "CA" + "c" * 32


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'ivr.db'}"
    store = Store.from_url(url, clock=lambda: datetime(2026, 3, 5, 10, 0, tzinfo=UTC))
    store.start_call(SID, "+14155550100", "+18005550000")
    for transcript, outcome in [("", "no_match"), ("my mortgage", "no_match"), ("", "no_match")]:
        store.record_turn(SID, "main", "speech", transcript, None, 0.5, outcome)
    store.record_turn(SID, "main", "none", "", None, None, "no_input")
    store.engine.dispose()
    monkeypatch.setenv("IVR_DATABASE_URL", url)
    return url


def test_cli_report_nomatch_prints_rates_and_phrases(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "nomatch"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "no-match report since the first call",
        "main: 4 turns, no-match 3 (75.0%), no-input 1 (25.0%)",
        "      2  (nothing recognized)",
        "      1  my mortgage",
    ]


def test_cli_report_nomatch_json_matches_the_api_shape(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "nomatch", "--json", "--since", "2026-03-01", "--top", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["since"] == "2026-03-01T00:00:00+00:00"
    assert data["menus"] == [
        {
            "menu": "main",
            "turns": 4,
            "no_match": 3,
            "no_input": 1,
            "no_match_rate": 0.75,
            "no_input_rate": 0.25,
            "unrecognized": [{"text": "(nothing recognized)", "count": 2, "recordings": []}],
        }
    ]


def test_cli_report_nomatch_since_after_every_call_says_so(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "nomatch", "--since", "2026-03-06"]) == 0
    assert capsys.readouterr().out.strip() == ("no turns recorded since 2026-03-06T00:00:00+00:00")


def test_cli_report_nomatch_bad_since_is_a_usage_error(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "nomatch", "--since", "yesterday"]) == 2
    assert "--since must be YYYY-MM-DD" in capsys.readouterr().err
