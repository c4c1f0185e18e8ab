"""In-process publish/subscribe for the agent desk: "this transfer changed".

Events carry only what changed and which call; each desk then reads the call from the
store and renders it for its own agent. So events stay tiny, a missed event costs
nothing that the next read does not repair, and nothing personal sits in a queue.

One feed per process (owned by :class:`ivr.app.services.Services`); with several instances,
``relay`` also sends each local event to the others (Redis, :mod:`ivr.bus`), which
:meth:`TransferFeed.deliver` to their own desks, and ``degraded`` tells desks to poll
while that link is down. ``publish`` never blocks
and may be called from any thread: a call session on the event loop, a route running in
FastAPI's thread pool. A subscriber that falls ``max_pending`` events behind is dropped
(its stream ends; the browser reconnects and re-reads everything) rather than letting
memory grow or slowing the publisher.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal

EventKind = Literal["transfer", "taken", "note"]


@dataclass(frozen=True)
class DeskEvent:
    """Something happened to the transfer of ``call_sid``."""

    kind: EventKind
    call_sid: str


class Subscription:
    """One subscriber's queue of events, bound to the event loop that reads it."""

    def __init__(self, loop: asyncio.AbstractEventLoop, max_pending: int) -> None:
        self._loop = loop
        self._max_pending = max_pending
        self._queue: asyncio.Queue[DeskEvent | None] = asyncio.Queue()
        self.closed = False
        """True once the feed dropped or closed this subscription; ``get`` then returns None."""

    def offer(self, event: DeskEvent | None) -> None:
        """Queue ``event`` (None closes) from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._put(event)
        else:
            with contextlib.suppress(RuntimeError):  # the subscriber's loop is gone
                self._loop.call_soon_threadsafe(self._put, event)

    def _put(self, event: DeskEvent | None) -> None:
        if self.closed:
            return
        if event is None or self._queue.qsize() >= self._max_pending:
            self.closed = True
            self._queue.put_nowait(None)
            return
        self._queue.put_nowait(event)

    async def get(self, timeout: float | None = None) -> DeskEvent | None:
        """The next event; None when closed. Raises TimeoutError after ``timeout`` seconds."""
        if self.closed and self._queue.empty():
            return None
        return await asyncio.wait_for(self._queue.get(), timeout)


class TransferFeed:
    """Fan-out of :class:`DeskEvent` to every open agent desk."""

    def __init__(self, max_pending: int = 256) -> None:
        self._max_pending = max_pending
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()
        self.relay: Callable[[DeskEvent], None] | None = None
        """Passes every locally published event on to the other instances."""
        self.degraded: Callable[[], bool] = lambda: False
        """True while other instances' events may be missed: desks then poll the store."""

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        """Receive every event published while the context is open."""
        sub = Subscription(asyncio.get_running_loop(), self._max_pending)
        with self._lock:
            self._subscribers.add(sub)
        try:
            yield sub
        finally:
            with self._lock:
                self._subscribers.discard(sub)

    def publish(self, event: DeskEvent) -> None:
        """Deliver ``event`` here and relay it to the other instances; never blocks."""
        self.deliver(event)
        if self.relay is not None:
            self.relay(event)

    def deliver(self, event: DeskEvent) -> None:
        """Deliver ``event`` to this process's subscribers; never raises for them."""
        with self._lock:
            subscribers = list(self._subscribers)
        for sub in subscribers:
            sub.offer(event)

    def transfer_recorded(self, call_sid: str) -> None:
        """A call was just handed to the agents (the call session's ``on_transfer`` hook)."""
        self.publish(DeskEvent("transfer", call_sid))

    def close(self) -> None:
        """End every subscription (server shutdown: open event streams finish)."""
        with self._lock:
            subscribers = list(self._subscribers)
        for sub in subscribers:
            sub.offer(None)

    @property
    def subscriber_count(self) -> int:
        """How many desks are listening (for tests and diagnostics)."""
        with self._lock:
            return len(self._subscribers)
