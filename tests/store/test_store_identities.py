"""Caller identities in the call record, on SQLite and PostgreSQL: long SIP URIs, NUL
bytes and bidi controls never fail the insert, and older databases with narrow columns
are widened at start-up."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, String, inspect, text

from ivr.store import Store, make_engine, upgrade_schema
from ivr.store.models import Base

SID = "CA" + "7" * 32
SIP_FROM = "sip:+14155550100@ivr-trunk.example.pstn.us1.twilio.com;transport=tls"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (SIP_FROM, SIP_FROM),
        ("+1415555\x000100", "+14155550100"),
        ("+141555\u202e00105", "+14155500105"),
        ("x" * 5000, "invalid"),
        ("Anonymous", "anonymous"),
    ],
    ids=["long-sip-uri", "nul-byte", "bidi-override", "overlong", "withheld"],
)
def test_start_call_any_caller_id_keeps_the_record(store: Store, raw: str, stored: str) -> None:
    assert store.start_call(SID, raw, "+15005550006")
    record = store.get_call(SID)
    assert record is not None and record["from"] == stored


def test_pin_failures_counted_under_a_long_caller_id(store: Store) -> None:
    # The caller-ID lockout counter is keyed by the (normalised) caller: a SIP caller
    # must be counted, not crash the PIN check.
    result = store.verify_pin(999, "0000", SIP_FROM)
    assert not result.ok and result.attempts_left == store.max_pin_failures - 1


def test_upgrade_widens_caller_columns_of_a_database_made_before_migrations(db_url: str) -> None:
    # A database made when caller IDs were VARCHAR(32), with a call in it.
    old = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(old)
    narrow = {
        ("calls", "from_number"),
        ("calls", "to_number"),
        ("caller_pin_failures", "caller_phone"),
    }
    for table_name, column_name in narrow:
        old.tables[table_name].c[column_name].type = String(32)
    engine = make_engine(db_url)
    try:
        old.create_all(engine)
        with engine.begin() as conn:  # nor did calls say which instance served them then
            conn.execute(text("ALTER TABLE calls DROP COLUMN instance"))
            conn.execute(  # a call recorded by that version
                text(
                    "INSERT INTO calls (call_sid, from_number, to_number, status, started_at, "
                    "verified) VALUES (:sid, '+14155550100', '+15005550006', 'in-progress', "
                    "CURRENT_TIMESTAMP, false)"
                ),
                {"sid": "CA" + "1" * 32},
            )
        upgrade_schema(engine)  # what `ivr db upgrade` runs
        widths = {
            (t, c["name"]): getattr(c["type"], "length", None)
            for t in ("calls", "caller_pin_failures")
            for c in inspect(engine).get_columns(t)
        }
        store = Store(engine)
        assert store.start_call(SID, SIP_FROM, "+15005550006")
        record = store.get_call(SID)
        assert record is not None and record["from"] == SIP_FROM
        assert store.get_call("CA" + "1" * 32) is not None  # nothing lost on the way
        if engine.dialect.name == "postgresql":
            assert {key: widths[key] for key in narrow} == dict.fromkeys(narrow, 255)
    finally:
        engine.dispose()
