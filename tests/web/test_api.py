"""The operator API: bearer auth, call detail, call list, and errors as JSON."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.store import Store, make_engine
from ivr.web.api import make_api_router
from tests.leaks import shows

TOKEN = "test-api-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SID = "CA" + "a" * 32


@pytest.fixture
def store(tmp_path: Path) -> Store:
    # A clock that ticks a second per reading, so "newest first" is well defined.
    ticks = itertools.count()
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    store = Store.from_url(
        f"sqlite:///{tmp_path / 'ivr.db'}",
        clock=lambda: start + timedelta(seconds=next(ticks)),
    )
    store.start_call(SID, "+14155550100", "+18005550000")
    store.record_turn(SID, "main", "speech", "my balance", "balance", 0.91, "matched")
    store.record_turn(SID, "pin", "keys", "2468", "pin_entered", None, "pin_ok")
    store.record_transfer(SID, "agent_requested", False, {"caller": "+14155550100"})
    return store


def _client(store: Store) -> TestClient:
    app = FastAPI()
    app.include_router(make_api_router(lambda: store, TOKEN))
    return TestClient(app)


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with _client(store) as client:
        yield client


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer "},
        {"Authorization": TOKEN},
    ],
)
@pytest.mark.parametrize("path", ["/api/calls", f"/api/calls/{SID}"])
def test_api_bad_or_missing_token_401(
    client: TestClient, headers: dict[str, str], path: str
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "missing or invalid bearer token"}


def test_api_get_call_known_sid_200_with_shape(client: TestClient) -> None:
    response = client.get(f"/api/calls/{SID}", headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {
        "call_sid",
        "from",
        "to",
        "status",
        "verified",
        "started_at",
        "ended_at",
        "customer",
        "turns",
        "transfer",
        "disposition_note",
    }
    assert body["call_sid"] == SID and body["from"] == "+14155550100"
    assert body["status"] == "transferred"
    assert [t["seq"] for t in body["turns"]] == [1, 2]
    assert set(body["turns"][0]) == {
        "seq",
        "menu",
        "input",
        "transcript",
        "intent",
        "confidence",
        "outcome",
        "at",
    }
    assert body["turns"][1]["transcript"] == "****"
    assert not shows("2468", response.text)
    assert body["transfer"]["reason"] == "agent_requested"
    assert body["transfer"]["summary"] == {"caller": "+14155550100"}
    assert body["transfer"]["dial_status"] is None


def test_api_get_call_unknown_sid_404(client: TestClient) -> None:
    response = client.get("/api/calls/CAnope", headers=AUTH)
    assert response.status_code == 404
    assert "CAnope" in response.json()["detail"]


def test_api_list_calls_newest_first_200(client: TestClient, store: Store) -> None:
    store.start_call("CAlater", "+14155550101", "+18005550000")
    response = client.get("/api/calls", headers=AUTH)
    assert response.status_code == 200
    rows = response.json()
    assert [r["call_sid"] for r in rows] == ["CAlater", SID]
    assert rows[1]["turn_count"] == 2 and rows[1]["transfer_reason"] == "agent_requested"
    assert client.get("/api/calls?limit=1", headers=AUTH).json() == rows[:1]


@pytest.mark.parametrize("limit", ["0", "501", "many"])
def test_api_list_calls_bad_limit_422(client: TestClient, limit: str) -> None:
    assert client.get(f"/api/calls?limit={limit}", headers=AUTH).status_code == 422


def test_api_list_calls_max_limit_200(client: TestClient) -> None:
    assert client.get("/api/calls?limit=500", headers=AUTH).status_code == 200


@pytest.mark.parametrize("path", ["/api/calls", f"/api/calls/{SID}"])
def test_api_store_down_503(tmp_path: Path, path: str) -> None:
    # A database without the schema fails every query, like one that is down.
    broken = Store(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    with _client(broken) as client:
        response = client.get(path, headers=AUTH)
    assert response.status_code == 503
    assert response.json() == {"detail": "call store unavailable; try again shortly"}


def test_make_api_router_empty_token_rejected(store: Store) -> None:
    with pytest.raises(ValueError):
        make_api_router(lambda: store, "")
