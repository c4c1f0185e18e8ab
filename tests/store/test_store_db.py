"""Engine set-up (SQLite pragmas, directories, in-memory) and StoreError on outages."""

from __future__ import annotations

import importlib.util
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ivr.store import Store, StoreError, create_schema, make_engine
from ivr.store.seed import seed_demo
from tests.conftest import TEST_PINS
from tests.store.store_helpers import PostgresCluster


def test_make_engine_sqlite_file_creates_directory_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "ivr.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    assert path.exists()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 1000


def test_make_engine_sqlite_file_and_journals_private_to_the_owner(tmp_path: Path) -> None:
    # Account numbers and PIN hashes live here: with the usual umask 022 a new file
    # would be readable by every local user.
    path = tmp_path / "var" / "ivr.db"
    store = Store.from_url(f"sqlite:///{path}", pins=TEST_PINS)
    seed_demo(store)  # writes, so the WAL and shared-memory files exist
    assert mode(path.parent) == 0o700
    files = [path, path.with_name("ivr.db-wal"), path.with_name("ivr.db-shm")]
    assert [mode(f) for f in files] == [0o600, 0o600, 0o600]
    store.engine.dispose()


def test_make_engine_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "ivr.db"
    first = make_engine(f"sqlite:///{path}")
    create_schema(first)
    # Closed now, not whenever it is collected: closing the last connection removes the
    # WAL file, which would take the one touched below with it.
    first.dispose()
    for name in ("ivr.db", "ivr.db-wal"):
        (tmp_path / name).touch()
        os.chmod(tmp_path / name, 0o644)  # as an older version left it
    make_engine(f"sqlite:///{path}")
    assert mode(path) == 0o600 and mode(tmp_path / "ivr.db-wal") == 0o600


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_make_engine_in_memory_shared_across_threads() -> None:
    store = Store.from_url("sqlite://")
    store.start_call("CA1", "+1", "+2")
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(store.get_call("CA1")))
    worker.start()
    worker.join()
    assert seen and seen[0] is not None


def test_make_engine_malformed_url_raises_store_error() -> None:
    with pytest.raises(StoreError, match="invalid database URL"):
        make_engine("not a url")


@pytest.mark.skipif(
    importlib.util.find_spec("psycopg2") is not None, reason="psycopg2 is installed here"
)
def test_make_engine_missing_driver_raises_store_error() -> None:
    with pytest.raises(StoreError, match="driver"):
        make_engine("postgresql+psycopg2://ivr@localhost/ivr")


def test_make_engine_directory_is_a_file_raises_store_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    with pytest.raises(StoreError):
        make_engine(f"sqlite:///{tmp_path / 'afile' / 'ivr.db'}")


def test_store_not_a_database_file_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a sqlite database, " * 100)
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(StoreError):
        create_schema(engine)
    with pytest.raises(StoreError):
        Store(engine).get_call("CA1")


def test_store_schema_missing_raises_store_error(tmp_path: Path) -> None:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"), pins=TEST_PINS)
    with pytest.raises(StoreError, match="start_call failed"):
        store.start_call("CA1", "+1", "+2")
    with pytest.raises(StoreError):
        store.verify_pin(1, "2468", "+15550001111")


def test_store_database_removed_raises_store_error(tmp_path: Path) -> None:
    # A closed/unreachable database: the directory vanishes under a running store.
    directory = tmp_path / "gone"
    store = Store.from_url(f"sqlite:///{directory / 'ivr.db'}")
    store.engine.dispose()
    for child in directory.iterdir():
        child.unlink()
    directory.rmdir()
    with pytest.raises(StoreError):
        store.list_calls()


def test_store_error_message_never_contains_pin(tmp_path: Path) -> None:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"), pins=TEST_PINS)
    with pytest.raises(StoreError) as caught:
        store.verify_pin(1, "97531", "+15550001111")
    assert "no such table" in str(caught.value)  # the database's error, not the key's
    assert "97531" not in str(caught.value)
    assert "97531" not in repr(caught.value.__cause__)


def test_store_concurrent_writers_no_busy_errors(make_store: Callable[..., Store]) -> None:
    # Several call sessions writing at once, each through its own engine (worst case).
    store = make_store()
    seed_demo(store)
    ada = store.find_customer_by_phone("+14155550100")
    assert ada is not None
    errors: list[BaseException] = []

    def session(n: int) -> None:
        try:
            mine = make_store()
            sid = f"CA{n}"
            mine.start_call(sid, f"+1555000{n:04d}", "+18005550000")
            for i in range(10):
                mine.record_turn(sid, "main", "speech", f"turn {i}", None, None, "matched")
            mine.verify_pin(ada.id, "2468", f"+1555000{n:04d}")
            mine.end_call(sid, "completed")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = store.list_calls()
    assert len(rows) == 8 and all(r["turn_count"] == 10 for r in rows)


def test_store_foreign_keys_enforced(store: Store) -> None:
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO turns (call_sid, seq, menu, input, transcript, outcome,"
                " created_at) VALUES ('CAnone', 1, 'main', 'none', '', 'x', '2026-01-01')"
            )
        )


def test_store_postgresql_backend_available(postgres_cluster: PostgresCluster) -> None:
    # Skips (with the reason) where PostgreSQL cannot be started; otherwise every test
    # using `store`/`make_store` has also run against it, and this checks the basics.
    store = Store.from_url(postgres_cluster.new_database())
    try:
        assert store.engine.dialect.name == "postgresql"
        assert store.start_call("CA1", "+1", "+2")
        assert not store.start_call("CA1", "+1", "+2")
    finally:
        store.engine.dispose()
