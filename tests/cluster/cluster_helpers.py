"""Callers and agent desks against a :class:`LocalCluster`."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import httpx

from ivr.cluster.launch import Instance, LocalCluster
from ivr.sim.caller import CallResult, SimConfig, Simulator, Step, new_call_sid
from tests.agent.desk_helpers import sign_in
from tests.cluster.conftest import AGENT, AGENT_PASSWORD
from tests.conftest import API_TOKEN, AUTH_TOKEN
from tests.waiting import wait_until

ADA = "+14155550100"
"""A seeded customer calling from her registered number (PIN 2468)."""


def simulator(cluster: LocalCluster, via: Instance | None = None, **overrides: Any) -> Simulator:
    """A keys-only caller; every request goes to ``via`` (one instance, as if the balancer
    sent it there) or, by default, to the balancer."""
    config = SimConfig(
        base_url=via.url if via is not None else cluster.url,
        public_url=cluster.url,
        auth_token=AUTH_TOKEN,
        api_token=API_TOKEN,
        caller=ADA,
        speed=3.0,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return Simulator(config)


def call(cluster: LocalCluster, *steps: Step, via: Instance | None = None, **kw: Any) -> CallResult:
    """One whole call, to the end."""
    return asyncio.run(simulator(cluster, via, **kw).place_call(steps))


class CallInThread:
    """A call going on while the test acts."""

    def __init__(self, cluster: LocalCluster, *steps: Step, **kw: Any) -> None:
        self.sid = new_call_sid()
        self.result: CallResult | None = None
        self.error: BaseException | None = None
        sim = simulator(cluster, **kw)
        self._thread = threading.Thread(target=self._run, args=(sim, steps), daemon=True)
        self._thread.start()

    def _run(self, sim: Simulator, steps: tuple[Step, ...]) -> None:
        try:
            self.result = asyncio.run(sim.place_call(steps, self.sid))
        except BaseException as exc:  # reported by join()
            self.error = exc

    def join(self, timeout_s: float = 120.0) -> CallResult:
        self._thread.join(timeout=timeout_s)
        if self.error is not None:
            raise self.error
        assert self.result is not None, "the call did not finish"
        return self.result


def live_calls(instance: Instance) -> int:
    """How many calls ``instance`` is streaming now (0 when it does not answer)."""
    try:
        count: int = httpx.get(instance.url + "/healthz", timeout=5).json()["live_calls"]
    except (httpx.HTTPError, ValueError, KeyError):
        return 0
    return count


def balanced(cluster: LocalCluster) -> None:
    """Wait until the balancer sends requests to every instance again.

    nginx skips an instance for ``fail_timeout`` (5 s) after a failed attempt, e.g. a
    request that reached it while it was down: a test that just restarted one, or that
    needs both, must wait out that window or nginx may have no instance left to try."""
    seen: set[str] = set()

    def every_instance_answered() -> bool:
        with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
            seen.add(httpx.get(cluster.url + "/healthz", timeout=5).json()["instance"])
        return seen >= {instance.name for instance in cluster.instances}

    wait_until(every_instance_answered, "the balancer to reach every instance", timeout_s=60)


def record(cluster: LocalCluster, sid: str) -> dict[str, Any]:
    """The call's record, read through the balancer ({} while there is none)."""
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    response = httpx.get(f"{cluster.url}/api/calls/{sid}", headers=headers, timeout=10)
    if response.status_code == 404:
        return {}
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


class DeskWatcher:
    """An agent signed in on one instance, its desk's event stream read in a thread."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._client = httpx.Client(base_url=instance.url, timeout=httpx.Timeout(10, read=None))
        response = sign_in(self._client, AGENT, AGENT_PASSWORD)
        assert response.status_code == 303, response.text
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.ready.wait(30), f"the desk on {instance.name} never became ready"

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/agent/events") as response:
                for line in response.iter_lines():
                    self.lines.append(line)
                    if line.startswith("event: ready"):
                        self.ready.set()
        except httpx.HTTPError:
            return

    def shows(self, sid: str) -> bool:
        """Whether a card for ``sid`` has arrived."""
        return any(sid in line for line in list(self.lines))

    def close(self) -> None:
        self._client.close()
