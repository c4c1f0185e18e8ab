"""Fixtures for the agent desk: the desk routes on a real store, and a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.desk.feed import TransferFeed
from ivr.desk.signin_gate import SignInGate
from ivr.settings import load_settings
from ivr.store.agents import AgentStore
from ivr.store.repo import Store
from ivr.store.seed import seed_demo
from ivr.web.agent.install import install_desk
from tests.agent.desk_helpers import CHEAP_SCRYPT_N, PASSWORD, DeskDeps
from tests.conftest import PIN_KEY, TEST_PINS


@pytest.fixture
def desk(tmp_path: Path) -> DeskDeps:
    """Desk services on a fresh SQLite store with the demo customers and agent ``ada.agent``."""
    store = Store.from_url(f"sqlite:///{tmp_path / 'ivr.db'}", pins=TEST_PINS)
    seed_demo(store)
    agents = AgentStore(store.engine, password_n=CHEAP_SCRYPT_N)
    agents.add_agent("ada.agent", PASSWORD)
    agents.add_agent("bo.agent", PASSWORD)
    settings = load_settings(
        twilio_auth_token="test-auth-token-0123", api_token="test-api-0123", pin_key=PIN_KEY
    )
    # A rate no test reaches: the desk's own tests are not about the global limit.
    return DeskDeps(settings, store, agents, TransferFeed(), SignInGate(per_minute=6000))


@pytest.fixture
def client(desk: DeskDeps) -> Iterator[TestClient]:
    """A client of an app serving only the desk (the guard included)."""
    app = FastAPI()
    install_desk(app, lambda: desk)
    with TestClient(app) as client:
        yield client
