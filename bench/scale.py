"""Scale-out: one server process against two on this machine, on PostgreSQL, with arrivals
spread over one call's length and in a burst; and *distinct customers*: every caller is a
different customer and hears a balance no other caller hears, so no prompt can come from
a cache.

Every level gets a fresh database on one throwaway PostgreSQL server (the configuration
several processes require); 1 and 2 workers alternate within each level, side by side.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from bench.capacity import CallPlan, run_level
from bench.load import SCRIPT
from bench.server import PIN_KEY
from ivr.cluster.postgres import LocalPostgres
from ivr.store import make_engine
from ivr.store.pin_keys import load_pin_keys
from ivr.store.pins import PinHasher
from ivr.store.seed import DemoAccount, DemoCustomer, upsert_customers

LEVELS = (50, 100, 200)
QUICK_LEVELS = (10,)
ARRIVALS = {"spread": 40.0, "burst": 2.0}
"""Seconds over which a level's calls arrive."""
DISTINCT_N = 200
QUICK_DISTINCT_N = 10


def distinct_customer(i: int) -> DemoCustomer:
    """Customer ``i``: their own phone, PIN, account number and balance."""
    account = DemoAccount("checking", f"7{i:011d}", 100_000 + 1_37 * i)
    return DemoCustomer(
        name=f"Caller {i}", phone=f"+1415700{i:04d}", pin=f"{(1111 + 37 * i) % 10000:04d}",
        accounts=(account,), policies=(),
    )  # fmt: skip


def distinct_plan(url: str, n: int) -> CallPlan:
    """Seed ``n`` distinct customers into ``url``; each call slot is one of them."""
    customers = [distinct_customer(i) for i in range(n)]
    engine = make_engine(url)
    try:
        upsert_customers(engine, customers, PinHasher(load_pin_keys(PIN_KEY, None)))
    finally:
        engine.dispose()
    say = next(step.value for step in SCRIPT if step.kind == "say")
    scripts = [[["say", say], ["dtmf", c.pin], ["hangup", ""]] for c in customers]
    return CallPlan(callers=[c.phone for c in customers], scripts=scripts)


def run_scale(
    quick: bool = False, levels: tuple[int, ...] | None = None, distinct: bool = True
) -> dict[str, Any]:
    """Every (N, arrivals, workers) row, then (``distinct``) the distinct-customers rows."""
    from bench.capacity import caller_speech

    speech = caller_speech()
    postgres = LocalPostgres.create()
    postgres.start()
    try:
        rows = _levels(postgres, speech, levels or (QUICK_LEVELS if quick else LEVELS))
        n = QUICK_DISTINCT_N if quick else DISTINCT_N
        distinct_rows = _distinct(postgres, speech, n) if distinct else []
    finally:
        postgres.stop()
    return {"rows": rows, "distinct": distinct_rows}


def _levels(postgres: LocalPostgres, speech: dict[str, str], levels: tuple[int, ...]) -> list[Any]:
    rows = []
    for n in levels:
        for arrival, ramp in ARRIVALS.items():
            for workers in (1, 2):
                print(f"scale: {n} calls, {arrival}, {workers} worker(s)", file=sys.stderr)
                env = {"IVR_DATABASE_URL": postgres.new_database()}
                row = run_level(n, speech, workers=workers, ramp_s=ramp, env=env,
                                limit_s=150 + ramp)  # fmt: skip
                rows.append({**row, "arrival": arrival})
    return rows


def _distinct(postgres: LocalPostgres, speech: dict[str, str], n: int) -> list[Any]:
    rows = []
    for arrival, ramp in ARRIVALS.items():
        for workers in (1, 2):
            print(f"scale: {n} distinct customers, {arrival}, {workers} worker(s)", file=sys.stderr)
            url = postgres.new_database()
            row = run_level(
                n, speech, workers=workers, ramp_s=ramp, env={"IVR_DATABASE_URL": url},
                limit_s=150 + ramp, before_calls=functools.partial(distinct_plan, url, n),
            )  # fmt: skip
            rows.append({**row, "arrival": arrival})
    return rows


def run_scale_soak(minutes: float, concurrent: int) -> dict[str, Any]:
    """The soak (§4) against 2 workers on PostgreSQL, ``concurrent`` calls at all times."""
    from bench.soak import run_soak

    postgres = LocalPostgres.create()
    postgres.start()
    try:
        env = {"IVR_DATABASE_URL": postgres.new_database()}
        return run_soak(
            minutes=minutes, concurrent=concurrent, workers=2, env=env,
            plot_name="soak-scale.png",
        )  # fmt: skip
    finally:
        postgres.stop()
