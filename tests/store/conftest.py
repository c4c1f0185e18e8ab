"""Fixtures for store tests: a fresh SQLite file per test and a clock tests can move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_helpers import FakeClock

from ivr.store import Store, create_schema, make_engine


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    # A subdirectory that does not exist yet: make_engine must create it.
    return f"sqlite:///{tmp_path / 'var' / 'ivr.db'}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def make_store(db_url: str, clock: FakeClock) -> Callable[..., Store]:
    """Build a Store on the test database with its own engine, as a new process would."""

    def build(**options: object) -> Store:
        engine = make_engine(db_url)
        create_schema(engine)
        options.setdefault("clock", clock)
        return Store(engine, **options)  # type: ignore[arg-type]

    return build


@pytest.fixture
def store(make_store: Callable[..., Store]) -> Store:
    return make_store()
