"""Soak: a steady number of concurrent scripted calls for a long time, watching for leaks.

Each of ``concurrent`` call slots places the balance call back to back until the duration
is up (slots are staggered over one call's length, so the load is level). Every few
seconds the server's RSS, open file descriptors (/proc/PID/fd), CPU and log errors are
sampled; afterwards the plot goes to ``bench/results/soak.png``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench.capacity import Sampler, caller_speech, collect, spawn_clients, split_client_stats
from bench.report import RESULTS
from bench.server import start_server

CALL_SECONDS = 42.0
"""Roughly how long the scripted call lasts; used to stagger the slots."""
SAMPLE_S = 5.0


def run_soak(
    *,
    minutes: float,
    concurrent: int,
    workers: int = 1,
    env: dict[str, str] | None = None,
    plot_name: str = "soak.png",
) -> dict[str, Any]:
    """Run the soak (``workers`` server processes, ``env`` beyond the default settings)
    and return samples, call outcomes and a summary."""
    duration = minutes * 60
    speech = caller_speech()
    server = start_server(workers=workers, env_overrides=env)
    errors_seen: list[tuple[float, int]] = []
    try:
        offsets = [i * CALL_SECONDS / concurrent for i in range(concurrent)]
        with Sampler(server, period_s=SAMPLE_S) as sampler:
            t0 = time.monotonic()
            procs = spawn_clients(
                server.base_url, offsets, speech, timeout_s=90.0, loop_until_s=duration,
                per_client=max(1, (concurrent + 1) // 2),
            )  # fmt: skip
            # Watch the log while the calls run (bounded: duration plus one call).
            while time.monotonic() - t0 < duration + CALL_SECONDS + 60:
                if all(c.proc.poll() is not None for c in procs):
                    break
                errors_seen.append((time.monotonic() - t0, len(server.log_errors())))
                print(f"  soak {time.monotonic() - t0:.0f}s", file=sys.stderr, flush=True)
                time.sleep(30)
            calls, _ = split_client_stats(collect(procs, 120))
        log_errors = server.log_errors()
        http_5xx = server.log_count('" 5')
    finally:
        server.stop()
    samples = sampler.samples
    ok = [c for c in calls if c.get("ok")]
    failed = [c for c in calls if not c.get("ok")]
    plot = plot_soak(samples, calls, RESULTS / plot_name, workers=workers)
    return {
        "minutes": minutes,
        "concurrent": concurrent,
        "workers": workers,
        "samples": samples,
        "calls": len(calls),
        "calls_ok": len(ok),
        "calls_failed": len(failed),
        "failures": sorted({str(c.get("error") or c.get("intents")) for c in failed})[:10],
        "log_errors": len(log_errors),
        "log_error_lines": log_errors[:10],
        "http_5xx": http_5xx,
        "errors_over_time": errors_seen,
        "plot": str(plot.relative_to(RESULTS.parent.parent)) if plot else None,
        "late_frames": sum(c.get("late_frames", 0) for c in calls),
        "voice_turn_ms": sorted(v for c in calls for v in c.get("voice_turn_ms", [])),
    }


def plot_soak(
    samples: list[dict[str, float]], calls: list[dict[str, Any]], path: Any, *, workers: int = 1
) -> Any | None:
    """RSS, open files and completed/failed calls over time, as a PNG (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed (pip install -e '.[bench]'): no plot", file=sys.stderr)
        return None
    t = [s["t"] / 60 for s in samples]
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    axes[0].plot(t, [s["rss"] / 2**20 for s in samples])
    axes[0].set_ylabel("server RSS (MB)")
    axes[0].set_ylim(bottom=0)
    axes[1].plot(t, [s["fds"] for s in samples], color="tab:orange")
    axes[1].set_ylabel("open fds")
    axes[1].set_ylim(bottom=0)
    ends_ok = sorted(c["offset"] / 60 for c in calls if c.get("ok") and "offset" in c)
    ends_bad = sorted(c.get("offset", 0) / 60 for c in calls if not c.get("ok"))
    axes[2].step(ends_ok, range(1, len(ends_ok) + 1), where="post", label="calls ok")
    axes[2].step(ends_bad or [0], range(len(ends_bad) or 1), where="post", color="red",
                 label="calls failed")  # fmt: skip
    axes[2].set_ylabel("calls started (cumulative)")
    axes[2].set_xlabel("minutes")
    axes[2].legend()
    where = "one ivr serve process" if workers == 1 else f"ivr serve, {workers} worker processes"
    fig.suptitle(f"Soak: steady concurrent calls against {where}")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
