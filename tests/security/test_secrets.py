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

pytestmark = pytest.mark.slow

PIN = "1357"
ACCOUNT = "000055555555"
CLIENT_LOGGERS = ("httpx", "httpcore", "websockets.client")


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
    assert PIN not in everything
    assert "9999" not in everything
    assert ACCOUNT not in everything
    assert "00005555" not in everything
    # The record still says what happened, masked.
    transcripts = [t["transcript"] for t in result.record["turns"]]
    assert "****" in transcripts
    assert any(t.endswith("5555") and t.startswith("*") for t in transcripts)
