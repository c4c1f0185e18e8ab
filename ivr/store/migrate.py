"""Bring an existing database up to the model at start-up, losing nothing.

Before Alembic (:mod:`ivr.store.schema`), schema changes were applied at start-up: this
step widened ``VARCHAR`` columns the model had widened since the database was made
(caller identities grew from 32 to 255 characters for SIP URIs). ``ivr db upgrade`` still
runs it once on a database of that era, before stamping it at the baseline revision;
every later change is an Alembic revision.

SQLite does not enforce ``VARCHAR`` lengths, so only PostgreSQL needs the ``ALTER``s.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, String, inspect

from ivr.store.models import Base

log = logging.getLogger(__name__)


def widen_columns(conn: Connection) -> list[str]:
    """``ALTER`` every string column narrower in the database than in the model, in the
    caller's transaction; returns ``table.column`` for each one widened (none on SQLite)."""
    if conn.dialect.name != "postgresql":
        return []
    quote = conn.dialect.identifier_preparer.quote
    widened = []
    for table, column, length in _narrow_columns(conn):
        conn.exec_driver_sql(
            f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} TYPE VARCHAR({length})"
        )
        log.info("schema: widened %s.%s to the model's length", table, column)
        widened.append(f"{table}.{column}")
    return widened


def _narrow_columns(conn: Connection) -> list[tuple[str, str, int]]:
    """(table, column, the model's length) of each string column narrower in the database."""
    inspector = inspect(conn)
    narrow = []
    for table in Base.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        current = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            wanted = column.type.length if isinstance(column.type, String) else None
            have = getattr(current.get(column.name), "length", None)
            if wanted is not None and have is not None and have < wanted:
                narrow.append((table.name, column.name, int(wanted)))
    return narrow
