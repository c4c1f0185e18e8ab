"""Two instances behind nginx on PostgreSQL and Redis: any request of a call may reach
either, and what one instance does every other one sees."""

from __future__ import annotations

import contextlib
import functools
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ivr.cluster.launch import LocalCluster, wait_ready
from ivr.sim.caller import Step
from tests.cluster.cluster_helpers import (
    CallInThread,
    DeskWatcher,
    balanced,
    call,
    live_calls,
    record,
)
from tests.conftest import free_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cluster")]

BALANCE_BY_KEYS = (Step("dtmf", "1"), Step("dtmf", "2468"), Step("wait", "2"), Step("hangup"))


def healthz(url: str) -> httpx.Response:
    return httpx.get(url + "/healthz", timeout=10)


def test_every_instance_is_ready_and_says_who_it_is(cluster: LocalCluster) -> None:
    for instance in cluster.instances:
        body = healthz(instance.url).json()
        assert body["ready"] is True and body["instance"] == instance.name
        assert body["checks"] == {"model": "ok", "database": "ok", "redis": "ok"}


def test_concurrent_calls_land_on_both_instances_and_records_name_them(
    cluster: LocalCluster,
) -> None:
    calls = [CallInThread(cluster, *BALANCE_BY_KEYS) for _ in range(4)]
    results = [c.join() for c in calls]
    served = {record(cluster, r.call_sid)["instance"] for r in results}
    assert served == {"ivr-1", "ivr-2"}
    for result in results:
        assert result.record is not None and result.record["verified"] is True


def test_a_transfer_appears_live_on_desks_of_both_instances(cluster: LocalCluster) -> None:
    desks = [DeskWatcher(instance) for instance in cluster.instances]
    try:
        result = call(cluster, Step("dtmf", "0"))
        assert "<Dial" in result.after_stream_twiml
        for desk in desks:
            shown = functools.partial(desk.shows, result.call_sid)
            wait_until(shown, f"the card on {desk.instance.name}")
    finally:
        for desk in desks:
            desk.close()


def test_pin_lockout_counts_wrong_pins_on_every_instance(cluster: LocalCluster) -> None:
    first, second = cluster.instances
    caller = "+14155550101"  # Alan: his own lockout, apart from the other tests' calls
    two_wrong = (Step("dtmf", "1"), Step("dtmf", "9999"), Step("dtmf", "9998"), Step("hangup"))
    call(cluster, *two_wrong, via=first, caller=caller)
    third = call(cluster, Step("dtmf", "1"), Step("dtmf", "9997"), via=second, caller=caller)
    assert third.record is not None
    assert [t["outcome"] for t in third.record["turns"]][-1] == "pin_locked", third.record
    right_pin = call(cluster, Step("dtmf", "1"), Step("dtmf", "1357"), via=first, caller=caller)
    assert right_pin.record is not None and right_pin.record["verified"] is False, right_pin.log


def test_agent_sign_in_slow_down_holds_across_instances(cluster: LocalCluster) -> None:
    first, second = cluster.instances
    username = {"username": "nobody.here", "password": "wrong", "csrf": ""}
    # From an address of its own (the instances trust 127.0.0.1 as their proxy): on a slow
    # machine the fifth attempt can come after the fourth's wait and be counted, and five
    # failures lock the address for 15 minutes, which would lock out every later desk.
    elsewhere = {"X-Forwarded-For": "198.51.100.7"}
    statuses = []
    for instance in (first, second, first, second, first):
        with httpx.Client(base_url=instance.url, timeout=30, headers=elsewhere) as client:
            page = client.get("/agent/login")
            token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            sent = client.post("/agent/login", data={**username, "csrf": token})
            statuses.append(sent.status_code)
    # Three free failures, the fourth imposes a wait: the fifth, on the other instance
    # than the fourth, is refused unchecked.
    assert statuses[-1] == 429, statuses
    DeskWatcher(first).close()  # and this machine's own address can still sign in


def test_a_grammar_edit_on_one_host_goes_live_on_both(cluster: LocalCluster) -> None:
    assert cluster.grammar_dirs is not None
    first_dir, second_dir = cluster.grammar_dirs
    before = healthz(cluster.instances[1].url).json()["grammar"]
    edited = _edit(first_dir / "common.yaml", '      - "[a] representative"\n',
                   '      - "[a] representative"\n      - "a banker please"\n')  # fmt: skip

    def both_serve_the_edit() -> bool:
        prints = {healthz(i.url).json()["grammar"] for i in cluster.instances}
        return len(prints) == 1 and before not in prints

    wait_until(both_serve_the_edit, "the edit live on both instances")
    assert (second_dir / "common.yaml").read_text(encoding="utf-8") == edited


def test_an_invalid_grammar_edit_goes_live_nowhere(cluster: LocalCluster) -> None:
    assert cluster.grammar_dirs is not None
    first_dir, second_dir = cluster.grammar_dirs
    served = [healthz(i.url).json()["grammar"] for i in cluster.instances]
    second_before = (second_dir / "main.yaml").read_text(encoding="utf-8")
    _edit(first_dir / "main.yaml", "intents:", "intents:\n  broken: [")
    wait_until(
        lambda: "grammar edit refused" in cluster.instances[0].log(), "the edit to be refused"
    )
    time.sleep(1.0)  # long enough for a sync to have arrived, were one sent
    assert [healthz(i.url).json()["grammar"] for i in cluster.instances] == served
    assert (second_dir / "main.yaml").read_text(encoding="utf-8") == second_before
    shutil.copy(second_dir / "main.yaml", first_dir / "main.yaml")  # undo


def test_redis_stopped_mid_call_the_call_goes_on_and_desks_poll(cluster: LocalCluster) -> None:
    assert cluster.redis is not None
    desk = DeskWatcher(cluster.instances[0])
    try:
        going_on = CallInThread(cluster, Step("wait", "2"), *BALANCE_BY_KEYS)
        wait_until(lambda: sum(live_calls(i) for i in cluster.instances) > 0, "the call to start")
        cluster.redis.stop()
        result = going_on.join()
        assert result.record is not None and result.record["verified"] is True
        assert all(healthz(i.url).status_code == 200 for i in cluster.instances)
        transfer = call(cluster, Step("dtmf", "0"), via=cluster.instances[1])
        wait_until(lambda: desk.shows(transfer.call_sid), "the card, by polling", timeout_s=30)
    finally:
        desk.close()
        cluster.redis.start()
    wait_until(
        lambda: all(healthz(i.url).json()["checks"]["redis"] == "ok" for i in cluster.instances),
        "redis back on every instance",
    )


def test_an_instance_killed_mid_call_its_caller_reaches_an_agent_via_the_other(
    cluster: LocalCluster,
) -> None:
    going_on = CallInThread(cluster, Step("dtmf", "1"), Step("wait", "20"))
    wait_until(lambda: record(cluster, going_on.sid).get("turns"), "the call's first turn")
    serving = next(i for i in cluster.instances if live_calls(i))
    serving.signal(signal.SIGKILL)
    serving.wait(10.0)
    try:
        result = going_on.join()
        assert result.closed_by == "server"
        assert "technical problem" in result.after_stream_twiml
        assert "<Dial" in result.after_stream_twiml
        kept = record(cluster, result.call_sid)
        assert kept["instance"] == serving.name
        assert kept["transfer"]["reason"] == "technical_error"
        assert kept["turns"], "the turns before the crash are kept"
    finally:
        serving.start()
        wait_ready(serving)
        balanced(cluster)


def _edit(file: Path, old: str, new: str) -> str:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    edited = text.replace(old, new, 1)
    file.write_text(edited, encoding="utf-8")
    return edited


def test_an_instance_asked_to_stop_finishes_its_live_call_and_takes_no_new_one(
    cluster: LocalCluster,
) -> None:
    balanced(cluster)  # the newcomer below needs the other instance in the balancer's set
    going_on = CallInThread(cluster, Step("wait", "4"), *BALANCE_BY_KEYS)
    wait_until(lambda: any(live_calls(i) for i in cluster.instances), "the call to start")
    serving = next(i for i in cluster.instances if live_calls(i))
    other = next(i for i in cluster.instances if i is not serving)
    serving.signal(signal.SIGTERM)
    try:
        wait_until(lambda: healthz(serving.url).status_code == 503, "the instance to drain")
        assert healthz(serving.url).json()["status"] == "draining"
        newcomer = call(cluster, Step("dtmf", "0"))  # through the balancer, meanwhile
        assert record(cluster, newcomer.call_sid)["instance"] == other.name
        result = going_on.join()
        assert result.closed_by == "caller" and result.record is not None
        assert result.record["verified"] is True and result.record["instance"] == serving.name
        assert serving.wait(30.0) is not None, "the drained instance did not stop"
    finally:
        if serving.wait(0.1) is None:
            serving.signal(signal.SIGKILL)
            serving.wait(10.0)
        serving.start()
        wait_ready(serving)
        balanced(cluster)


def test_serve_with_two_workers_on_one_host_answers_from_both(cluster: LocalCluster) -> None:
    port = free_port()
    env = {**cluster.instances[0].env, "IVR_PORT": str(port), "IVR_INSTANCE_ID": "one-host"}
    cmd = [sys.executable, "-m", "ivr.cli", "serve", "--workers", "2"]
    out = (cluster.workdir / "two-workers.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    seen: set[str] = set()

    def both_answered() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            seen.add(healthz(f"http://127.0.0.1:{port}").json()["instance"])
        return len(seen) == 2

    try:
        wait_until(both_answered, "both workers to answer", timeout_s=180)
        assert all(name.startswith("one-host:") for name in seen)
    finally:
        proc.terminate()
        assert proc.wait(timeout=60) == 0
