"""Engine and session set-up that works for SQLite (default) and PostgreSQL.

SQLite needs some help to serve several concurrent call sessions from one file:

* WAL journal, so readers never block the writer and vice versa;
* a busy timeout, so a writer waits for the lock instead of failing at once;
* SQLAlchemy's recommended pysqlite recipe of emitting ``BEGIN`` ourselves: the driver's
  own implicit transactions break savepoints, and a read transaction that later writes
  can fail with ``SQLITE_BUSY`` without waiting. Sessions bound to :func:`writer` start
  with ``BEGIN IMMEDIATE`` instead, taking the write lock up front (where the busy
  timeout applies) so read-modify-write sequences are serialised.

Every engine hides bound parameters from error messages and logs: they carry
transcripts and phone numbers. Everything else uses only portable SQLAlchemy 2 constructs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from ivr.private_files import private_dir, private_file, tighten
from ivr.store.errors import StoreError

DEFAULT_URL = "sqlite:///var/ivr.db"
SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite writer waits for the lock; transactions are milliseconds long."""

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
_WRITE_OPTION = "ivr_write"
"""Execution option marking an engine whose transactions will write (see :func:`writer`)."""


def make_engine(url: str = DEFAULT_URL) -> Engine:
    """An engine for ``url`` (for a SQLite file, its directory made too); does not connect.
    :class:`StoreError` for a malformed URL, a missing driver or an unusable directory."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL: {exc}") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(url, parsed.database)
        # pre_ping: a PostgreSQL restart should cost one retry, not a failed call turn.
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except ImportError as exc:
        raise StoreError(
            f"database driver for {parsed.drivername!r} is not installed "
            "(PostgreSQL needs e.g. `pip install 'psycopg[binary]'`)"
        ) from exc
    except (ArgumentError, OSError) as exc:
        raise StoreError(f"cannot use database {parsed.render_as_string()}: {exc}") from exc


def _sqlite_engine(url: str, database: str | None) -> Engine:
    in_memory = not database or database == ":memory:" or "mode=memory" in url
    # Connections move between the event loop's worker threads; the pool hands each one
    # to a single thread at a time, so the same-thread check is moot.
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # One shared connection: otherwise every pooled connection (and so every worker
        # thread) would see its own empty in-memory database.
        engine = create_engine(url, poolclass=StaticPool, hide_parameters=True, **options)
    else:
        assert database is not None
        if not database.startswith("file:"):
            _private_database(Path(database))
        engine = create_engine(url, hide_parameters=True, **options)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _private_database(path: Path) -> None:
    """The database file and its journals readable by this user only: they hold account
    numbers and PIN hashes. SQLite gives the journal and WAL files the main file's mode."""
    private_dir(path.parent)
    private_file(path)
    for suffix in SQLITE_SIDE_FILES:
        tighten(path.with_name(path.name + suffix))


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    assert isinstance(dbapi_connection, sqlite3.Connection)
    # Take transaction control away from the driver (see module docstring).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # Safe with WAL (no corruption on power loss; the last commits may roll back).
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) with transactions that take the write lock first.

    Only SQLite looks at the option; PostgreSQL uses row locks (``FOR UPDATE``) instead.
    """
    return engine.execution_options(**{_WRITE_OPTION: True})


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose loaded objects stay readable after commit (we return plain views)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], operation: str) -> Iterator[Session]:
    """One transaction, committed on success; database errors become :class:`StoreError`.

    Only the driver's message is kept: SQLAlchemy's full text would include the SQL.
    """
    try:
        with factory.begin() as session:
            yield session
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise StoreError(f"{operation} failed: {type(detail).__name__}: {detail}") from exc
