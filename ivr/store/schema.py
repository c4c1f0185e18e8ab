"""The schema's version, kept by Alembic (``ivr/store/migrations``): create, check, upgrade.

* An empty database gets today's schema at once (``create_all``) and is stamped at the
  head revision — Alembic's recommended start for a new database, and what lets tests make
  hundreds of them cheaply.
* ``ivr db upgrade`` (:func:`upgrade_schema`) brings an older database to the head; one
  made before migrations existed first gets that era's last ad-hoc step (widening
  caller-ID columns, :mod:`ivr.store.migrate`) and is stamped at the baseline.
* ``ivr serve`` (:func:`create_schema`) refuses an older schema, naming the command to run.
  A newer one — another instance was upgraded first, in a rolling upgrade — is served with
  a warning: every migration only adds, so this version's queries still work.

On PostgreSQL an advisory lock makes instances that start together take turns; on SQLite
the write lock (``BEGIN IMMEDIATE``) does the same.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from ivr.store.db import writer
from ivr.store.errors import SchemaError, StoreError
from ivr.store.migrate import widen_columns
from ivr.store.models import Base

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
"""The revision a database made before migrations is at."""
LOCK_KEY = 0x49_56_52_53  # "IVRS": any constant shared by every instance
UPGRADE_HINT = "run `ivr db upgrade` (with this IVR_DATABASE_URL), then start again"


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    """The revision this version of the code needs."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def _known(revision: str) -> bool:
    return revision in {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    """The database's revision; None when it has none (empty, or made before migrations)."""
    return MigrationContext.configure(conn).get_current_revision()


def _has_tables(conn: Connection) -> bool:
    return bool(set(inspect(conn).get_table_names()) & set(Base.metadata.tables))


@contextmanager
def _locked(engine: Engine, operation: str) -> Iterator[Connection]:
    """One transaction, with every other instance's schema work waiting for it."""
    try:
        with writer(engine).begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
            yield conn
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise StoreError(f"{operation} failed: {type(detail).__name__}: {detail}") from exc


def _create(conn: Connection) -> None:
    Base.metadata.create_all(conn)
    command.stamp(_config(conn), "head")
    log.info("schema: created at revision %s", head_revision())


def create_schema(engine: Engine) -> None:
    """Make the database ready to serve: create an empty one, accept the head (or a newer
    revision), refuse anything older with :class:`SchemaError` naming the fix."""
    with _locked(engine, "create schema") as conn:
        revision, head = current_revision(conn), head_revision()
        if revision is None and not _has_tables(conn):
            _create(conn)
        elif revision is None:
            raise SchemaError(f"the database was made before schema migrations: {UPGRADE_HINT}")
        elif revision != head and _known(revision):
            raise SchemaError(
                f"the database schema is at revision {revision}, this version needs {head}: "
                + UPGRADE_HINT
            )
        elif revision != head:
            log.warning("schema: database at %s, newer than this version (%s)", revision, head)


def upgrade_schema(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the head revision, losing nothing; (before, after)."""
    with _locked(engine, "upgrade schema") as conn:
        before = current_revision(conn)
        if before is None and not _has_tables(conn):
            _create(conn)
            return None, head_revision()
        if before is None:
            widen_columns(conn)
            command.stamp(_config(conn), BASELINE)
        elif not _known(before):
            log.warning("schema: database at %s, newer than this version: nothing to do", before)
            return before, before
        command.upgrade(_config(conn), "head")
        return before, head_revision()
