"""The desk's HTTP surface: the session gate, sign-in and its lockout, CSRF, take and note."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.desk.feed import DeskEvent
from ivr.desk.signin_gate import SignInGate
from ivr.store.agents import AgentStore
from ivr.web.agent.guard import SESSION_COOKIE
from ivr.web.agent.install import install_desk
from ivr.web.agent.routes import WRONG_CREDENTIALS
from tests.agent.desk_helpers import (
    CHEAP_SCRYPT_N,
    PASSWORD,
    DeskDeps,
    csrf_of,
    escalated_call,
    sign_in,
)
from tests.store.store_helpers import FakeClock

SID = "CA" + "1" * 32
HTML = {"Accept": "text/html,application/xhtml+xml"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def signed_in(client: TestClient) -> str:
    """Sign ``ada.agent`` in on ``client``; returns the session's CSRF token."""
    assert sign_in(client, "ada.agent", PASSWORD).status_code == 303
    return csrf_of(client.get("/agent").text)


def test_desk_page_without_session_redirects_to_login(client: TestClient) -> None:
    for path in ("/agent", "/agent/", "/agent/anything"):
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/agent/login"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/agent/events"),
        ("GET", "/agent"),  # not a browser asking for a page: a script
        ("POST", f"/agent/calls/{SID}/take"),
        ("POST", f"/agent/calls/{SID}/note"),
        ("POST", "/agent/logout"),
    ],
)
def test_desk_without_session_401(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, headers=JSON)
    assert response.status_code == 401
    assert response.json() == {"detail": "sign in to the agent desk first"}


def test_desk_events_with_forged_session_cookie_401(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "forged-token", path="/agent")
    assert client.get("/agent/events").status_code == 401


def test_desk_responses_are_never_cached_or_framed(client: TestClient) -> None:
    for response in (client.get("/agent/login"), client.get("/agent/events")):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "script-src 'self'" in response.headers["content-security-policy"]


def test_login_right_password_sets_strict_httponly_session_cookie(client: TestClient) -> None:
    response = sign_in(client, "ada.agent", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/agent"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/agent" in cookie
    assert "Max-Age=28800" in cookie
    page = client.get("/agent")
    assert page.status_code == 200 and "Signed in as" in page.text


@pytest.mark.parametrize(
    ("username", "password"), [("ada.agent", "not the password"), ("nobody", PASSWORD)]
)
def test_login_wrong_password_or_unknown_user_same_401(
    client: TestClient, username: str, password: str
) -> None:
    response = sign_in(client, username, password)
    assert response.status_code == 401
    assert WRONG_CREDENTIALS in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_login_without_the_form_token_403(client: TestClient) -> None:
    response = client.post(
        "/agent/login", data={"username": "ada.agent", "password": PASSWORD, "csrf": "x"}
    )
    assert response.status_code == 403
    assert client.get("/agent/events").status_code == 401


def test_login_failures_for_a_username_slow_it_down_but_do_not_lock_the_agent_out(
    desk: DeskDeps,
) -> None:
    clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    desk.agents = AgentStore(desk.store.engine, password_n=CHEAP_SCRYPT_N, clock=clock)
    app = FastAPI()
    install_desk(app, lambda: desk)
    attacker = TestClient(app, client=("198.51.100.23", 40000))
    agent = TestClient(app, client=("203.0.113.7", 40000))
    with attacker, agent:
        codes = [sign_in(attacker, "ada.agent", "not the password").status_code for _ in range(4)]
        assert codes == [401, 401, 401, 401]
        # Ada's own attempt now waits a second (refused unchecked) ...
        early = sign_in(agent, "ada.agent", PASSWORD)
        assert early.status_code == 429 and early.headers["retry-after"] == "1"
        assert "wait 1 seconds" in early.text
        # ... and then her password works: five wrong posts no longer lock her out.
        clock.advance(seconds=1)
        assert sign_in(agent, "ada.agent", PASSWORD).status_code == 303


def test_login_five_failures_from_one_address_lock_other_agents(client: TestClient) -> None:
    for i in range(5):
        sign_in(client, f"guess{i}", "not the password")
    refused = sign_in(client, "bo.agent", PASSWORD)
    assert refused.status_code == 429
    assert "from your network" in refused.text and int(refused.headers["retry-after"]) > 60


def test_login_beyond_the_global_rate_429_before_checking_the_password(
    client: TestClient, desk: DeskDeps
) -> None:
    desk.signin = SignInGate(per_minute=6)  # a burst of one attempt
    assert sign_in(client, "ada.agent", "not the password").status_code == 401
    refused = sign_in(client, "ada.agent", PASSWORD)
    assert refused.status_code == 429
    assert "try again in a few seconds" in refused.text
    assert int(refused.headers["retry-after"]) >= 1
    assert client.get("/agent/events").status_code == 401  # not signed in


def test_logout_ends_the_session_on_the_server(client: TestClient, signed_in: str) -> None:
    token = client.cookies.get(SESSION_COOKIE)
    response = client.post("/agent/logout", data={"csrf": signed_in}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/agent/login"
    client.cookies.set(SESSION_COOKIE, token or "", path="/agent")  # replaying the old cookie
    assert client.get("/agent/events").status_code == 401


def test_desk_page_lists_recent_transfers_urgent_first(
    client: TestClient, desk: DeskDeps, signed_in: str
) -> None:
    escalated_call(desk.store, SID)
    escalated_call(desk.store, "CA" + "2" * 32, reason="lost_card", urgent=True)
    page = client.get("/agent").text
    assert page.index("CA" + "2" * 32) < page.index(SID)
    assert "Lost card" in page and "Ada Lovelace" in page and "****" in page


def test_desk_page_shows_a_fraud_report_on_top_with_its_badge(
    client: TestClient, desk: DeskDeps, signed_in: str
) -> None:
    escalated_call(desk.store, SID)
    escalated_call(desk.store, "CA" + "3" * 32, reason="fraud", urgent=False)
    page = client.get("/agent").text
    assert page.index("CA" + "3" * 32) < page.index(SID)  # urgent whatever the flag said
    assert '<span class="badge badge-fraud">Fraud</span>' in page
    assert "Reported suspected fraud" in page


def test_take_without_the_session_token_403(
    client: TestClient, desk: DeskDeps, signed_in: str
) -> None:
    escalated_call(desk.store, SID)
    response = client.post(f"/agent/calls/{SID}/take", data={"csrf": "forged"}, headers=JSON)
    assert response.status_code == 403
    assert desk.store.take_call(SID, "bo.agent") == "bo.agent"


def test_take_marks_the_call_taken_and_tells_every_desk(
    client: TestClient, desk: DeskDeps, signed_in: str
) -> None:
    escalated_call(desk.store, SID)

    async def take_while_subscribed() -> DeskEvent | None:
        async with desk.feed.subscribe() as sub:
            response = await asyncio.to_thread(
                client.post, f"/agent/calls/{SID}/take", data={"csrf": signed_in}, headers=JSON
            )
            assert response.status_code == 200
            assert response.json() == {"call_sid": SID, "taken_by": "ada.agent"}
            return await sub.get(10)

    assert asyncio.run(take_while_subscribed()) == DeskEvent("taken", SID)
    record = desk.store.get_call(SID)
    assert record is not None and record["taken_by"] == "ada.agent"


def test_take_plain_form_post_goes_back_to_the_desk(
    client: TestClient, desk: DeskDeps, signed_in: str
) -> None:
    escalated_call(desk.store, SID)
    response = client.post(
        f"/agent/calls/{SID}/take", data={"csrf": signed_in}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == f"/agent#call-{SID}"


def test_take_call_another_agent_has_409(
    client: TestClient, desk: DeskDeps, signed_in: str
) -> None:
    escalated_call(desk.store, SID)
    desk.store.take_call(SID, "bo.agent")
    response = client.post(f"/agent/calls/{SID}/take", data={"csrf": signed_in}, headers=JSON)
    assert response.status_code == 409
    assert response.json()["detail"] == "already taken by bo.agent"


def test_take_unknown_call_404(client: TestClient, signed_in: str) -> None:
    response = client.post(f"/agent/calls/{SID}/take", data={"csrf": signed_in}, headers=JSON)
    assert response.status_code == 404


def test_note_saved_with_the_call_and_its_taker(
    client: TestClient, desk: DeskDeps, signed_in: str
) -> None:
    escalated_call(desk.store, SID)
    note = "  Card blocked, replacement ordered; customer calm.  "
    response = client.post(
        f"/agent/calls/{SID}/note", data={"csrf": signed_in, "note": note}, headers=JSON
    )
    assert response.status_code == 200
    record = desk.store.get_call(SID)
    assert record is not None
    assert record["disposition_note"] == note.strip()
    assert record["taken_by"] == "ada.agent"


def test_note_on_a_call_another_agent_has_409(
    client: TestClient, desk: DeskDeps, signed_in: str
) -> None:
    escalated_call(desk.store, SID)
    desk.store.take_call(SID, "bo.agent")
    response = client.post(
        f"/agent/calls/{SID}/note", data={"csrf": signed_in, "note": "mine now"}, headers=JSON
    )
    assert response.status_code == 409
    record = desk.store.get_call(SID)
    assert record is not None and record["disposition_note"] is None


@pytest.mark.parametrize("note", ["   ", "x" * 4001])
def test_note_empty_or_too_long_refused(
    client: TestClient, desk: DeskDeps, signed_in: str, note: str
) -> None:
    escalated_call(desk.store, SID)
    response = client.post(
        f"/agent/calls/{SID}/note", data={"csrf": signed_in, "note": note}, headers=JSON
    )
    assert response.status_code == 422


def test_static_desk_assets_are_served(client: TestClient) -> None:
    assert "EventSource" in client.get("/static/desk.js").text
    assert client.get("/static/desk.css").status_code == 200
