"""Admission to password hashing: sign-in attempts must not slow down live calls.

Checking an agent password costs scrypt at N=2¹⁷: 128 MiB and a few hundred milliseconds
of CPU. On asyncio's default thread pool — which call-store writes and webhooks share —
sixteen concurrent bogus sign-ins delayed a caller's greeting by seconds and held nearly
a gigabyte. So sign-ins get their own small pool (one thread by default: 128 MiB, one
core), a short queue in front of it, and a global rate: beyond either, an attempt is
refused at once with "try again shortly", before any hashing.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

BURST_SECONDS = 10
"""The rate allows bursts of this many seconds' worth of attempts (a shift signing in)."""
WAITING_PER_WORKER = 4
"""Attempts that may queue per hashing thread; each waits at most a few hashes."""


class SignInBusy(Exception):
    """Too many sign-in attempts right now; ``retry_after_s`` says when to come back."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"sign-in busy; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class TokenBucket:
    """``per_minute`` tokens a minute, up to ``capacity`` saved up. Pure: the caller
    passes the time (monotonic seconds)."""

    def __init__(self, per_minute: int, capacity: int, now: float) -> None:
        if per_minute < 1 or capacity < 1:
            raise ValueError("per_minute and capacity must be positive")
        self.rate_per_s = per_minute / 60
        self.capacity = capacity
        self._tokens = float(capacity)
        self._at = now

    def take(self, now: float) -> float:
        """Take a token: 0.0 when one was available, else the seconds until one will be."""
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate_per_s)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate_per_s


class SignInGate:
    """Runs sign-in checks on a dedicated, bounded executor behind a global rate limit.

    Used from the event loop only (the in-flight count needs no lock).
    """

    def __init__(
        self,
        *,
        per_minute: int,
        workers: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        capacity = max(1, per_minute * BURST_SECONDS // 60)
        self._bucket = TokenBucket(per_minute, capacity, clock())
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="signin")
        self.max_in_flight = workers * (1 + WAITING_PER_WORKER)
        self.in_flight = 0

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` on the sign-in threads, or :class:`SignInBusy` at once."""
        if self.in_flight >= self.max_in_flight:
            raise SignInBusy(1)
        wait = self._bucket.take(self._clock())
        if wait > 0:
            raise SignInBusy(max(1, math.ceil(wait)))
        self.in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        finally:
            self.in_flight -= 1

    def close(self) -> None:
        """Stop the threads; queued attempts are dropped."""
        self._executor.shutdown(wait=False, cancel_futures=True)
