"""One way for tests to wait for something another thread or process does.

Tests never sleep a fixed time and hope: they poll a condition until it holds and fail
with a sentence naming what never happened. The timeout is a bound on a hang, not a
performance assertion (tests never assert wall-clock times).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 30.0
POLL_S = 0.05


def wait_until(
    condition: Callable[[], T | None], what: str, *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> T:
    """Poll ``condition`` until it returns something truthy and return that; fail naming
    ``what`` after ``timeout_s``. An exception from ``condition`` fails at once."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(POLL_S)


async def wait_until_async(
    condition: Callable[[], T | None], what: str, *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> T:
    """:func:`wait_until` for coroutines: sleeps on the event loop between polls."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:g} s waiting for {what}")
        await asyncio.sleep(POLL_S)
