"""PINs and full account numbers never leave the caller's keypad: not in logs, transcripts,
prompts, the whisper, the API or error messages."""

from __future__ import annotations

import json
import logging
import sqlite3

import httpx
import pytest

from ivr.sim.caller import Step
from tests.conftest import API_TOKEN, LiveServer
from tests.leaks import shows

pytestmark = pytest.mark.slow

PIN = "1357"
ACCOUNT = "000055555555"
CLIENT_LOGGERS = ("httpx", "httpcore", "websockets.client")


def test_shows_finds_secrets_but_not_digits_that_happen_to_contain_them() -> None:
    assert shows("1357", "PIN 1357 entered")
    assert shows("1357", "heard 1 3 5 7")
    assert shows("00005555", "account 00005555****")
    assert not shows("1357", "at 14:14:50.813575")
    assert not shows("1357", "PIN ****")


def test_secrets_full_call_leaves_no_pin_or_account_number_anywhere(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        # An unknown caller gives the full account number, a wrong PIN, the right PIN,
        # then asks for a person.
        result = live_server.call(
            Step("dtmf", "1"),
            Step("dtmf", ACCOUNT + "#"),
            Step("dtmf", "9999"),
            Step("dtmf", PIN),
            Step("dtmf", "0"),
            caller="+14155550199",
            speed=3.0,
        )
    assert result.record is not None and result.record["verified"] is True
    # Everything the app logged (the simulator's own HTTP/WebSocket client logs are the
    # caller's side of the line and are left out).
    app_records = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
    assert any(r.name.startswith("ivr") for r in app_records)
    written: list[str] = [r.getMessage() for r in app_records]
    written += [str(r.exc_info) for r in app_records if r.exc_info]
    written.append(json.dumps(result.record))
    written += [result.after_stream_twiml, result.whisper_twiml, result.dial_outcome_twiml]
    api = httpx.get(
        f"{live_server.base_url}/api/calls",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    written.append(api.text)
    db_path = live_server.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(db_path) as db:
        for table in ("turns", "prompts", "transfers", "calls"):
            written += [repr(row) for row in db.execute(f"SELECT * FROM {table}")]
    everything = "\n".join(written)
    assert not shows(PIN, everything)
    assert not shows("9999", everything)
    assert not shows(ACCOUNT, everything)
    assert not shows("00005555", everything)
    # The record still says what happened, masked.
    transcripts = [t["transcript"] for t in result.record["turns"]]
    assert "****" in transcripts
    assert any(t.endswith("5555") and t.startswith("*") for t in transcripts)
