"""Fixtures for store tests: a fresh database per test and a clock tests can move.

Tests that take ``db_url`` (directly or via ``store``/``make_store``) run on a SQLite
file and, when the server binaries and a driver are installed, again on a throwaway
PostgreSQL cluster. When they are not, the PostgreSQL variants are not generated (one
skip per test would flood the report); ``test_store_postgresql_backend_available``
reports the reason as a single skip instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ivr.store import Store, create_schema, make_engine
from tests.conftest import TEST_PINS
from tests.store.store_helpers import FakeClock, PostgresCluster

POSTGRES_UNAVAILABLE = PostgresCluster.unavailable()
BACKENDS = ["sqlite"] if POSTGRES_UNAVAILABLE else ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    if POSTGRES_UNAVAILABLE is not None:
        pytest.skip(POSTGRES_UNAVAILABLE)
    cluster = PostgresCluster.create()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        return cluster.new_database()
    # A subdirectory that does not exist yet: make_engine must create it.
    return f"sqlite:///{tmp_path / 'var' / 'ivr.db'}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def make_store(db_url: str, clock: FakeClock) -> Iterator[Callable[..., Store]]:
    """Build a Store on the test database with its own engine, as a new process would."""
    engines: list[Engine] = []

    def build(**options: object) -> Store:
        engine = make_engine(db_url)
        engines.append(engine)
        create_schema(engine)
        options.setdefault("clock", clock)
        options.setdefault("pins", TEST_PINS)
        return Store(engine, **options)  # type: ignore[arg-type]

    yield build
    for engine in engines:  # close connections: PostgreSQL has a connection limit
        engine.dispose()


@pytest.fixture
def store(make_store: Callable[..., Store]) -> Store:
    return make_store()
