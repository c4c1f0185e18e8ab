"""Helpers shared by the agent desk tests (a unique module name: tests have no packages)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from starlette.testclient import TestClient

from ivr.desk.feed import TransferFeed
from ivr.desk.signin_gate import SignInGate
from ivr.settings import Settings
from ivr.store.agents import AgentStore
from ivr.store.repo import Store

PASSWORD = "correct horse battery staple"
CHEAP_SCRYPT_N = 2**10
"""Password hashing cost for tests that never meet an attacker."""
ADA = "+14155550100"

if TYPE_CHECKING:
    import httpx2  # what Starlette's TestClient is built on

    Response = httpx.Response | httpx2.Response

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class DeskDeps:
    """The services the desk routes use, built without speech or prompts."""

    settings: Settings
    store: Store
    agents: AgentStore
    feed: TransferFeed
    signin: SignInGate
    draining: bool = False


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient | httpx.Client, username: str, password: str) -> Response:
    """Load the sign-in form (for its cookie and token) and post it; no redirects followed."""
    page = client.get("/agent/login")
    assert page.status_code == 200
    return client.post(
        "/agent/login",
        data={"username": username, "password": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )


def escalated_call(
    store: Store,
    call_sid: str,
    *,
    caller: str = ADA,
    verified: bool = True,
    reason: str = "caller_request",
    urgent: bool = False,
) -> None:
    """A call recorded the way the dialog records one that ended with a transfer."""
    store.start_call(call_sid, caller, "+15005550006")
    customer = store.find_customer_by_phone(caller)
    store.set_call_customer(call_sid, customer.id if customer else None, verified)
    store.record_turn(call_sid, "main", "speech", "what is my balance", "balance", 0.82, "matched")
    store.record_turn(call_sid, "pin", "keys", "****", "digits", None, "verified")
    store.record_turn(call_sid, "anything_else", "speech", "", None, 0.31, "no_match")
    store.record_turn(call_sid, "anything_else", "speech", "agent", "agent", 0.9, "matched")
    store.record_transfer(
        call_sid,
        reason,
        urgent,
        {
            "caller": caller,
            "customer_name": customer.name if customer else None,
            "verified": verified,
            "reason": "Caller asked for an agent.",
            "intents_tried": ["balance", "agent"],
            "failed_attempts": 1,
        },
    )
