"""No log level reveals a key press: a real ``ivr serve`` at DEBUG, a call that keys an
account number and PINs, and a scan of everything the process wrote."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest

from ivr.logs import WireFilter, guard_wire_loggers
from ivr.sim.caller import Step
from tests.leaks import shows
from tests.serve_process import CLEAN_EXITS, serve

PIN = "1357"
WRONG_PIN = "9924"
ACCOUNT = "000055555555"


@pytest.mark.slow
def test_serve_at_debug_logs_no_frame_pin_or_account_number(
    tmp_path: Path, prompt_audio_dir: Path
) -> None:
    with serve(tmp_path, prompt_audio_dir, IVR_LOG_LEVEL="DEBUG") as server:
        # An unknown caller keys the full account number, a wrong PIN, the right PIN,
        # then asks for a person.
        result = asyncio.run(
            server.simulator(caller="+14155550199", speed=3.0).place_call(
                [
                    Step("dtmf", "1"),
                    Step("dtmf", ACCOUNT + "#"),
                    Step("dtmf", WRONG_PIN),
                    Step("dtmf", PIN),
                    Step("dtmf", "0"),
                ]
            )
        )
        assert server.stop() in CLEAN_EXITS
        written = server.output()
    # The keys really reached the dialog: the PIN was checked and accepted.
    assert result.record is not None and result.record["verified"] is True
    # The scan really ran at DEBUG.
    assert re.search(r"\bDEBUG\b", written)
    # Media Streams frames are JSON objects with an "event" member; a dtmf frame holds one
    # digit, so a logged frame leaks a PIN one line per key even when no line holds it whole.
    frames = [line for line in written.splitlines() if '"event"' in line]
    assert frames == []
    for secret in (PIN, WRONG_PIN, ACCOUNT, ACCOUNT[:8]):
        assert not shows(secret, written), secret


def test_wire_filter_drops_what_uvicorn_hands_the_websocket_protocol_at_debug() -> None:
    # uvicorn sets ``uvicorn.error`` to its own log level after the app is built, then hands
    # that logger to the WebSocket protocol: the filter on the logger still drops frames.
    guard_wire_loggers()
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = logging.getLogger("uvicorn.error")
    handler, previous = Keep(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug('< TEXT \'{"event": "dtmf", "dtmf": {"digit": "1"}}\' [60 bytes]')
        logger.info("Application startup complete.")
    finally:
        logger.setLevel(previous)
        logger.removeHandler(handler)
    assert [r.getMessage() for r in seen] == ["Application startup complete."]


@pytest.mark.parametrize(
    ("name", "level", "kept"),
    [
        ("websockets.server", logging.DEBUG, False),
        ("websockets.client", logging.DEBUG, False),
        ("uvicorn.asgi", 5, False),  # uvicorn's TRACE: every ASGI message, bodies included
        ("httpx", logging.DEBUG, False),
        ("websockets.server", logging.INFO, True),
        ("uvicorn.error", logging.ERROR, True),
        ("ivr.call", logging.DEBUG, True),
        ("websocketsx", logging.DEBUG, True),
    ],
)
def test_wire_filter_on_handlers_drops_wire_children_below_info(
    name: str, level: int, kept: bool
) -> None:
    record = logging.LogRecord(name, level, __file__, 1, "message", None, None)
    assert WireFilter().filter(record) is kept
