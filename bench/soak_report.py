"""BENCHMARKS.md section for the soak run."""

from __future__ import annotations

import statistics
from typing import Any

from bench.metrics import summary
from bench.report_util import f, meta_line


def _slope_mb_per_hour(samples: list[dict[str, float]]) -> float:
    """Least-squares RSS slope over the second half of the run (after warm-up)."""
    half = samples[len(samples) // 2 :]
    if len(half) < 3:
        return float("nan")
    ts = [s["t"] / 3600 for s in half]
    ys = [s["rss"] / 2**20 for s in half]
    return statistics.linear_regression(ts, ys).slope


def soak_section(data: dict[str, Any], heading: str = "## 4. Soak") -> list[str]:
    """Soak summary and plot."""
    samples = data["samples"]
    rss = [s["rss"] / 2**20 for s in samples]
    fds = [s["fds"] for s in samples]
    q = len(samples) // 4 or 1
    voice = summary(data.get("voice_turn_ms", []))
    lines = [
        heading,
        "",
        meta_line(data),
        "",
        f"{data['concurrent']} concurrent scripted calls (same script as §1), back to back, "
        f"for {f(data['minutes'], 1)} minutes against {_processes(data)} (`bench.serve`, "
        "uvicorn options as `ivr serve`); sampled every "
        "5 s. The issue asks for 30 minutes (the default of `python -m bench soak`); see the "
        "duration above for what this run did.",
        "",
        "| calls ok / failed | server log errors | HTTP 5xx | late frames | voice turn p50 / "
        "p95 ms | RSS first quarter → last quarter (median MB) | RSS slope, 2nd half | "
        "open fds min / max |",
        "|---|---|---|---|---|---|---|---|",
        f"| {data['calls_ok']} / {data['calls_failed']} | {data['log_errors']} | "
        f"{data['http_5xx']} | {data['late_frames']} | {f(voice['p50'])} / {f(voice['p95'])} | "
        f"{f(statistics.median(rss[:q]) if rss else None)} → "
        f"{f(statistics.median(rss[-q:]) if rss else None)} | "
        f"{f(_slope_mb_per_hour(samples), 1)} MB/h | {min(fds, default=0)} / "
        f"{max(fds, default=0)} |",
        "",
    ]
    if data.get("failures"):
        lines += ["Failures: " + "; ".join(f"`{x}`" for x in data["failures"]), ""]
    if data.get("plot"):
        lines += [f"![soak: RSS, open files and calls over time]({data['plot']})", ""]
    return lines


def _processes(data: dict[str, Any]) -> str:
    workers = int(data.get("workers", 1))
    return "one server process" if workers == 1 else f"{workers} worker processes on PostgreSQL"
