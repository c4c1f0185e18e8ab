"""Bring an existing database up to the model at start-up, losing nothing.

The project has no migration tool: the schema only changes in ways that can be applied
idempotently whenever the server starts. ``create_all`` adds missing tables (with their
indexes); this module widens ``VARCHAR`` columns the model has widened since the
database was made (caller identities grew from 32 to 255 characters for SIP URIs).
Nothing is dropped or narrowed. A change of another kind — a new column on an existing
table, say — needs a step written here (or a new table instead).

SQLite does not enforce ``VARCHAR`` lengths, so only PostgreSQL needs the ``ALTER``s.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, String, inspect

from ivr.store.models import Base

log = logging.getLogger(__name__)


def widen_columns(engine: Engine) -> list[str]:
    """``ALTER`` every string column narrower in the database than in the model; returns
    ``table.column`` for each one widened (none on SQLite)."""
    if engine.dialect.name != "postgresql":
        return []
    inspector = inspect(engine)
    quote = engine.dialect.identifier_preparer.quote
    widened: list[str] = []
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            current = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                wanted = column.type.length if isinstance(column.type, String) else None
                have = getattr(current.get(column.name), "length", None)
                if wanted is None or have is None or have >= wanted:
                    continue
                conn.exec_driver_sql(
                    f"ALTER TABLE {quote(table.name)} ALTER COLUMN {quote(column.name)} "
                    f"TYPE VARCHAR({int(wanted)})"
                )
                widened.append(f"{table.name}.{column.name}")
    for name in widened:
        log.info("schema: widened %s to the model's length", name)
    return widened
