"""Graceful drain: an instance asked to stop takes no new calls and finishes its live ones.

Uvicorn's own shutdown closes every WebSocket at once (code 1012) — for us, every live
call. So SIGTERM is first ours: the instance turns unready (``/healthz`` 503) and refuses
what starts something new — a call's first webhook, a media stream, a desk's event
stream — with 503, which the load balancer retries on another instance; desks' open
streams end (their browsers reconnect elsewhere). Once the live calls are over, or
``IVR_DRAIN_TIMEOUT_S`` has passed, uvicorn's handler runs and the process stops. A second
signal stops at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from ivr.app.services import Services

log = logging.getLogger("ivr")

SIGNALS = (signal.SIGTERM, signal.SIGINT)
CHECK_EVERY_S = 0.2
Stop = Callable[[int, FrameType | None], Any]


def install_drain(services: Services, timeout_s: float) -> bool:
    """Put the drain in front of the server's own SIGTERM/SIGINT handlers. Call from the
    running loop in the main thread, after the server installed its handlers; False (and
    nothing changed) when that is not where we are, e.g. an app under a test client."""
    loop = asyncio.get_running_loop()
    try:
        for sig in SIGNALS:
            stop = signal.getsignal(sig)
            if callable(stop):
                signal.signal(sig, _handler(services, loop, stop, timeout_s))
    except ValueError:  # not the main thread
        return False
    return True


def _handler(
    services: Services, loop: asyncio.AbstractEventLoop, stop: Stop, timeout_s: float
) -> Callable[[int, FrameType | None], None]:
    def on_signal(signum: int, frame: FrameType | None) -> None:
        if services.draining:
            stop(signum, frame)  # asked twice: stop now
            return
        services.draining = True
        log.info(
            "draining: no new calls; %d live call(s) get up to %g s",
            len(services.live_calls),
            timeout_s,
        )
        services.feed.close()  # desks reconnect, to another instance
        loop.call_soon_threadsafe(_spawn, drain_then(services, timeout_s, stop, signum))

    return on_signal


_pending: set[asyncio.Task[None]] = set()


def _spawn(coro: Any) -> None:
    task = asyncio.ensure_future(coro)
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def drain_then(services: Services, timeout_s: float, stop: Stop, signum: int) -> None:
    """Wait for the live calls to end (at most ``timeout_s``), then ``stop``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while services.live_calls and loop.time() < deadline:
        await asyncio.sleep(CHECK_EVERY_S)
    if services.live_calls:
        log.warning("drain timeout: %d live call(s) cut", len(services.live_calls))
    else:
        log.info("drained: no live calls; stopping")
    stop(signum, None)
