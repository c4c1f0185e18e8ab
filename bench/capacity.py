"""Capacity and latency: N simultaneous calls through the real protocol to a real server.

For each N a fresh server process is started; load processes (separate from the server,
so callers never share its event loop) ramp N calls in at a steady arrival rate, each the
scripted balance call paced in real time. The server's process tree is sampled through
/proc for CPU and resident memory while the calls run.
"""

from __future__ import annotations

import base64
import json
import math
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load import SCRIPT
from bench.metrics import summary
from bench.server import API_TOKEN, AUTH_TOKEN, PY, ROOT, ServerProcess, start_server
from ivr.audio.channel import telephone_channel
from ivr.tts.synth import Pyttsx3Synthesizer


@dataclass
class CallPlan:
    """Who calls and what they do, per call slot; empty: everyone runs the SCRIPT as Ada."""

    callers: list[str] | None = None
    scripts: list[list[list[str]]] | None = None


CALLS_PER_CLIENT = 50
"""Calls one load process drives (then another process is added)."""
ARRIVALS_PER_S = 20.0
"""Ramp: how fast calls arrive. All N calls overlap: a call lasts ~25 s, the ramp ≤ 10 s."""


def caller_speech() -> dict[str, str]:
    """The script's utterances as base64 telephone μ-law (synthesized once, here)."""
    synth = Pyttsx3Synthesizer()
    try:
        out = {}
        for step in SCRIPT:
            if step.kind == "say":
                speech = synth.synthesize(step.value, "gmw/en-us", 150)
                ulaw = telephone_channel(speech.pcm, speech.rate, seed=1)
                out[step.value] = base64.b64encode(ulaw).decode("ascii")
        return out
    finally:
        synth.close()


@dataclass
class Sampler:
    """Samples a server's CPU, RSS and open files every ``period_s`` in a thread."""

    server: ServerProcess
    period_s: float = 0.5

    def __post_init__(self) -> None:
        self.samples: list[dict[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._t0 = time.monotonic()

    def _loop(self) -> None:
        while not self._stop.is_set():
            u = self.server.usage()
            self.samples.append(
                {"t": time.monotonic() - self._t0, "cpu_s": u.cpu_s, "rss": u.rss_bytes,
                 "fds": u.fds}
            )  # fmt: skip
            self._stop.wait(self.period_s)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class LoadClient:
    """One ``bench.load`` process, its spec file and the file its JSON lines go to."""

    proc: subprocess.Popen[bytes]
    spec: Path
    out: Path


def spawn_clients(
    base_url: str, offsets: list[float], speech: dict[str, str], *, timeout_s: float,
    loop_until_s: float = 0.0, per_client: int = CALLS_PER_CLIENT,
    scripts: list[list[list[str]]] | None = None, voiced_end: dict[str, int] | None = None,
    line_noise: dict[str, float] | None = None, callers: list[str] | None = None,
) -> list[LoadClient]:  # fmt: skip
    """Start load processes, each with a share of the call offsets (round robin).

    Their output goes to files, not pipes: a soak's clients print a line per call for
    30 minutes, and a pipe nobody reads until the end fills up (64 KiB) and blocks the
    client's event loop in ``print`` -- every call it carries then hangs. That is what
    stalled the first soak runs ("12 of 302 calls hung", then all of them after 16 min).
    """
    n_clients = max(1, math.ceil(len(offsets) / per_client))
    clients = []
    for c in range(n_clients):
        spec = {
            "base_url": base_url,
            "auth_token": AUTH_TOKEN,
            "api_token": API_TOKEN,
            "offsets_s": offsets[c::n_clients],
            "speech": speech,
            "timeout_s": timeout_s,
            "loop_until_s": loop_until_s,
            # Each client keeps the scripts of its own calls, in its offsets' order.
            "scripts": scripts[c::n_clients] if scripts else None,
            "voiced_end": voiced_end,
            "line_noise": line_noise,
            "callers": callers[c::n_clients] if callers else None,
        }
        fd, name = tempfile.mkstemp(prefix="ivr-bench-load-", suffix=".json")
        with os.fdopen(fd, "w") as handle:
            json.dump(spec, handle)
        out_fd, out_name = tempfile.mkstemp(prefix="ivr-bench-load-", suffix=".out")
        with os.fdopen(out_fd, "wb") as out:
            proc = subprocess.Popen([PY, "-m", "bench.load", name], cwd=ROOT, stdout=out)
        clients.append(LoadClient(proc, Path(name), Path(out_name)))
    return clients


def collect(clients: list[LoadClient], limit_s: float) -> list[dict[str, Any]]:
    """Wait (bounded) for the load processes; every call's JSON line."""
    deadline = time.monotonic() + limit_s
    calls: list[dict[str, Any]] = []
    for client in clients:
        try:
            client.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            client.proc.kill()
            client.proc.wait()
        text = client.out.read_text(encoding="utf-8", errors="replace")
        client.spec.unlink(missing_ok=True)
        client.out.unlink(missing_ok=True)
        calls += [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return calls


def split_client_stats(lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    """Separate the load processes' own CPU lines from the calls; their busiest share of
    one core (near 1.0 means the load generator itself was the bottleneck)."""
    stats = [c for c in lines if "client_cpu_s" in c]
    calls = [c for c in lines if "client_cpu_s" not in c]
    busiest = max((s["client_cpu_s"] / s["client_wall_s"] for s in stats if s["client_wall_s"]),
                  default=float("nan"))  # fmt: skip
    return calls, busiest


def run_level(
    n: int,
    speech: dict[str, str],
    *,
    workers: int = 1,
    limit_s: float = 120,
    variant: str = "current",
    ramp_s: float | None = None,
    env: dict[str, str] | None = None,
    before_calls: Callable[[], CallPlan] | None = None,
) -> dict[str, Any]:
    """N calls against a fresh server (``env``: its settings beyond the defaults); the
    table row for N. ``before_calls`` may give each call its own caller and script."""
    server = start_server(workers=workers, variant=variant, env_overrides=env)
    try:
        plan = before_calls() if before_calls is not None else CallPlan()
        time.sleep(1.0)
        idle = server.usage()
        ramp = n / ARRIVALS_PER_S if ramp_s is None else ramp_s
        offsets = [i * ramp / n for i in range(n)]
        with Sampler(server) as sampler:
            started = time.monotonic()
            procs = spawn_clients(server.base_url, offsets, speech, timeout_s=limit_s - 15,
                                  scripts=plan.scripts, callers=plan.callers)  # fmt: skip
            calls, client_cpu = split_client_stats(collect(procs, limit_s))
            wall = time.monotonic() - started
        errors = server.log_errors()
        http_5xx = server.log_count('" 5')
    finally:
        server.stop()
    row = level_row(n, workers, calls, sampler.samples, idle.rss_bytes, idle.cpu_s, wall,
                     len(errors), http_5xx)  # fmt: skip
    row["variant"] = variant
    row["ramp_s"] = ramp
    row["client_cpu_core_max"] = client_cpu
    return row


def peak_concurrency(calls: list[dict[str, Any]]) -> int:
    """Most calls in progress at once (client clock)."""
    edges = []
    for c in calls:
        if "started" in c and "ended" in c:
            edges += [(c["started"], 1), (c["ended"], -1)]
    live = peak = 0
    for _, d in sorted(edges):
        live += d
        peak = max(peak, live)
    return peak


def level_row(
    n: int, workers: int, calls: list[dict[str, Any]], samples: list[dict[str, float]],
    idle_rss: int, idle_cpu: float, wall: float, log_errors: int, http_5xx: int,
) -> dict[str, Any]:  # fmt: skip
    """Aggregate one level's calls and samples."""
    voice = [v for c in calls for v in c.get("voice_turn_ms", [])]
    keys = [c["key_turn_ms"] for c in calls if c.get("key_turn_ms") is not None]
    greet = [c["greeting_ms"] for c in calls if c.get("greeting_ms") is not None]
    peak_rss = max((s["rss"] for s in samples), default=idle_rss)
    cpu_used = (samples[-1]["cpu_s"] - idle_cpu) if samples else 0.0
    # Busiest 5 s of server CPU, as a share of one core.
    busiest = 0.0
    for i, s in enumerate(samples):
        j = i
        while j < len(samples) and samples[j]["t"] - s["t"] < 5.0:
            j += 1
        if j < len(samples):
            busiest = max(busiest, (samples[j]["cpu_s"] - s["cpu_s"]) / (samples[j]["t"] - s["t"]))
    return {
        "n": n,
        "workers": workers,
        "calls_done": len(calls),
        "calls_ok": sum(1 for c in calls if c.get("ok")),
        "call_errors": sorted({c["error"] for c in calls if c.get("error")})[:5],
        "peak_concurrent": peak_concurrency(calls),
        "voice_turn_ms": summary(voice),
        "key_turn_ms": summary(keys),
        "greeting_ms": summary(greet),
        "late_frames": sum(c.get("late_frames", 0) for c in calls),
        "calls_with_underrun": sum(1 for c in calls if c.get("late_frames", 0) > 0),
        "worst_late_ms": max((c.get("worst_late_ms", 0.0) for c in calls), default=0.0),
        "frames_in": sum(c.get("frames_in", 0) for c in calls),
        "cpu_core_avg": cpu_used / wall if wall else 0.0,
        "cpu_core_peak5s": busiest,
        "idle_rss_mb": idle_rss / 2**20,
        "peak_rss_mb": peak_rss / 2**20,
        "mb_per_call": (peak_rss - idle_rss) / 2**20 / max(1, n),
        "wall_s": wall,
        "log_errors": log_errors,
        "http_5xx": http_5xx,
    }
