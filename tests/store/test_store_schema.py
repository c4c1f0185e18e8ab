"""The schema's version: new databases start at the head, older ones are upgraded by
`ivr db upgrade` (never by a starting server), and nothing is lost on the way."""

from __future__ import annotations

import logging
import threading

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from ivr.store import SchemaError, Store, create_schema, make_engine, upgrade_schema
from ivr.store.models import Base
from ivr.store.schema import MIGRATIONS, head_revision

SID = "CA" + "7" * 32


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def differences(engine: Engine) -> list[object]:
    """What the database lacks or has beyond the model (empty: they match)."""
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def migrate_to(engine: Engine, revision: str) -> None:
    """Run the shipped migrations from nothing up to ``revision``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def test_an_empty_database_is_created_at_the_head_matching_the_model(db_url: str) -> None:
    engine = make_engine(db_url)
    create_schema(engine)
    assert revision_of(engine) == head_revision()
    assert differences(engine) == []
    engine.dispose()


def test_the_migrations_alone_build_the_same_schema_as_the_model(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate_to(engine, "head")
    assert differences(engine) == []
    engine.dispose()


def test_a_server_refuses_an_older_schema_and_upgrade_keeps_every_row(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate_to(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO calls (call_sid, from_number, to_number, status, started_at, "
                "verified) VALUES (:sid, '+14155550100', '+15005550006', 'in-progress', "
                "CURRENT_TIMESTAMP, false)"
            ),
            {"sid": SID},
        )
    with pytest.raises(
        SchemaError, match=r"revision 0001, this version needs 0002.*ivr db upgrade"
    ):
        create_schema(engine)

    assert upgrade_schema(engine) == ("0001", head_revision())

    create_schema(engine)  # now it serves
    record = Store(engine).get_call(SID)
    assert record is not None and record["instance"] is None
    assert differences(engine) == []
    engine.dispose()


def test_a_database_made_before_migrations_is_refused_then_stamped_and_upgraded(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    migrate_to(engine, "0001")  # the baseline is the schema as create_all made it then
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    with pytest.raises(SchemaError, match=r"made before schema migrations.*ivr db upgrade"):
        create_schema(engine)
    assert upgrade_schema(engine) == (None, head_revision())
    assert "instance" in {c["name"] for c in inspect(engine).get_columns("calls")}
    assert differences(engine) == []
    engine.dispose()


def test_a_newer_schema_is_served_with_a_warning(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(db_url)
    create_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with caplog.at_level(logging.WARNING, logger="ivr.store.schema"):
        create_schema(engine)
    assert "newer than this version" in caplog.text
    engine.dispose()


def test_instances_starting_together_on_an_empty_database_both_start(db_url: str) -> None:
    engines = [make_engine(db_url) for _ in range(2)]
    errors: list[BaseException] = []

    def start(engine: Engine) -> None:
        try:
            create_schema(engine)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert revision_of(engines[0]) == head_revision()
    for engine in engines:
        engine.dispose()
