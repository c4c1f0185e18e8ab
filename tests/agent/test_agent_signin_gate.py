"""Admission to password hashing: the global rate, the bounded queue, its own threads;
and the address failures are counted under (IPv6 by /64)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ivr.desk.signin_gate import SignInBusy, SignInGate, TokenBucket
from ivr.web.client_address import client_key


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(per_minute=60, capacity=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(1.0)  # one a second
    assert bucket.take(0.5) == pytest.approx(0.5)
    assert bucket.take(1.0) == 0.0
    assert bucket.take(100.0) == 0.0  # saved up, but never beyond the capacity
    assert [bucket.take(100.0) for _ in range(3)][-1] > 0


def test_signin_gate_refuses_beyond_the_rate_before_running_anything() -> None:
    now = [0.0]
    gate = SignInGate(per_minute=6, clock=lambda: now[0])  # a burst of one (10 s worth)
    ran: list[int] = []

    async def attempts() -> list[object]:
        results: list[object] = []
        for n in range(3):
            try:
                results.append(await gate.run(ran.append, n))
            except SignInBusy as busy:
                results.append(busy.retry_after_s)
        return results

    try:
        assert asyncio.run(attempts()) == [None, 10, 10]
        assert ran == [0]
        now[0] = 10.0
        assert asyncio.run(attempts())[0] is None
    finally:
        gate.close()


def test_signin_gate_runs_on_its_own_threads_and_bounds_the_queue() -> None:
    gate = SignInGate(per_minute=6000, workers=1)
    release = threading.Event()
    threads: list[str] = []

    def slow_hash() -> str:
        threads.append(threading.current_thread().name)
        release.wait(30)
        return "checked"

    async def flood() -> list[str]:
        tasks = [asyncio.ensure_future(gate.run(slow_hash)) for _ in range(gate.max_in_flight)]
        await asyncio.sleep(0.05)  # all admitted: one running, the rest queued
        with pytest.raises(SignInBusy):
            await gate.run(slow_hash)  # one more is refused at once, not queued
        release.set()
        return list(await asyncio.gather(*tasks))

    try:
        assert asyncio.run(flood()) == ["checked"] * gate.max_in_flight
        assert set(threads) and all(name.startswith("signin") for name in threads)
        assert gate.in_flight == 0
    finally:
        gate.close()


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_client_key_groups_ipv6_by_64(host: str | None, key: str) -> None:
    assert client_key(host) == key
