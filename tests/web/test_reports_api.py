"""``GET /api/reports/nomatch``: bearer auth like /api/calls, JSON per menu, ``since`` filter."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.store import Store
from ivr.web.reports import make_reports_router, parse_since

TOKEN = "test-api-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SID = "CA" + "b" * 32


@pytest.fixture
def store(tmp_path: Path) -> Store:
    # One hour per clock reading: turns fall on 2026-03-01 and 2026-03-02.
    ticks = itertools.count()
    start = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    store = Store.from_url(
        f"sqlite:///{tmp_path / 'ivr.db'}", clock=lambda: start + timedelta(hours=next(ticks))
    )
    store.start_call(SID, "+14155550100", "+18005550000")
    store.record_turn(SID, "main", "speech", "", None, 0.0, "no_match")
    store.record_turn(SID, "main", "speech", "my mortgage", None, 0.7, "no_match")
    store.record_turn(SID, "main", "none", "", None, None, "no_input")
    store.record_turn(SID, "main", "speech", "my mortgage", None, 0.6, "no_match")
    store.record_turn(SID, "main", "speech", "balance", "balance", 0.9, "matched")
    return store


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(make_reports_router(lambda: store, TOKEN))
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Basic {TOKEN}"}]
)
def test_reports_api_without_the_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/reports/nomatch", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_reports_api_nomatch_returns_rates_and_top_phrases(client: TestClient) -> None:
    response = client.get("/api/reports/nomatch", headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {
        "since": None,
        "menus": [
            {
                "menu": "main",
                "turns": 5,
                "no_match": 3,
                "no_input": 1,
                "no_match_rate": 0.6,
                "no_input_rate": 0.2,
                "unrecognized": [
                    {"text": "my mortgage", "count": 2, "recordings": []},
                    {"text": "(nothing recognized)", "count": 1, "recordings": []},
                ],
            }
        ],
    }


def test_reports_api_since_date_counts_only_later_turns(client: TestClient) -> None:
    response = client.get("/api/reports/nomatch?since=2026-03-02", headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["since"] == "2026-03-02T00:00:00+00:00"
    (main,) = body["menus"]
    # Turns at 21:00, 22:00, 23:00 on March 1st are left out; 00:00 and 01:00 remain.
    assert (main["turns"], main["no_match"], main["no_input"]) == (2, 1, 0)


def test_reports_api_bad_since_is_422(client: TestClient) -> None:
    response = client.get("/api/reports/nomatch?since=last-tuesday", headers=AUTH)
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.json()["detail"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", datetime(2026, 3, 2, tzinfo=UTC)),
        ("2026-03-02T08:30:00", datetime(2026, 3, 2, 8, 30, tzinfo=UTC)),
        ("2026-03-02T08:30:00+02:00", datetime(2026, 3, 2, 6, 30, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_reports_parse_since(text: str | None, expected: datetime | None) -> None:
    assert parse_since(text) == expected
