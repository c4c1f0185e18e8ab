"""Bogus agent sign-ins from their own process: ``python -m tests.signin_flood URL N``.

``N`` concurrent clients post wrong passwords for made-up usernames from made-up
addresses (``X-Forwarded-For``, for a server that trusts its loopback proxy), so neither
the per-username nor the per-address limit stops them and every admitted attempt costs a
full password hash. Each client posts again as soon as it has its answer, after a pause
of ``PAUSE_S`` — what is measured is the cost of password checks, not of a request flood.

A separate process, so the flood's own CPU does not slow the test's simulated caller
(one Python process shares one GIL). It prints ``started`` once every client has sent
its first attempt, and on end of input — the test closing the pipe — the count of each
status code as JSON.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import sys
from collections import Counter

import httpx

PAUSE_S = 0.1
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def client(base_url: str, ids: itertools.count[int], flood: Flood) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        page = await http.get("/agent/login")
        found = _CSRF.search(page.text)
        assert found is not None, page.text
        while not flood.stop.is_set():
            n = next(ids)
            form = {"username": f"bogus{n}", "password": f"wrong password {n}", "csrf": found[1]}
            address = f"198.18.{n // 250 % 250}.{n % 250 + 1}"
            attempt = http.post("/agent/login", data=form, headers={"X-Forwarded-For": address})
            flood.sending()
            flood.codes[(await attempt).status_code] += 1
            await asyncio.sleep(PAUSE_S)


class Flood:
    """The clients' shared tally."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.codes: Counter[int] = Counter()
        self.sent = 0
        self.all_sending = asyncio.Event()
        self.stop = asyncio.Event()

    def sending(self) -> None:
        self.sent += 1
        if self.sent >= self.clients:
            self.all_sending.set()


async def main(base_url: str, clients: int) -> None:
    flood = Flood(clients)
    ids = itertools.count(1)
    tasks = [asyncio.create_task(client(base_url, ids, flood)) for _ in range(clients)]
    await flood.all_sending.wait()
    await asyncio.sleep(0.05)  # the last of the first attempts leave
    print("started", flush=True)
    await asyncio.to_thread(sys.stdin.read)  # until the test closes the pipe
    flood.stop.set()
    await asyncio.gather(*tasks)
    print(json.dumps(dict(flood.codes)), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
