"""The scale-out section of BENCHMARKS.md (see :mod:`bench.scale`)."""

from __future__ import annotations

from typing import Any

from bench.report_util import f, meta_line

_HEAD = (
    "| N | arrivals | workers | ok / done | voice turn p50 / p95 ms | key turn (readout) "
    "p50 / p95 ms | greeting p95 ms | CPU avg / peak-5s cores | errors (log / 5xx) | "
    "load process CPU |"
)


def _row(r: dict[str, Any]) -> str:
    v, k, g = r["voice_turn_ms"], r["key_turn_ms"], r["greeting_ms"]
    return (
        f"| {r['n']} | {r['arrival']} ({f(r['ramp_s'])} s) | {r['workers']} | "
        f"{r['calls_ok']} / {r['calls_done']} | {f(v['p50'])} / {f(v['p95'])} | "
        f"{f(k['p50'])} / {f(k['p95'])} | {f(g['p95'])} | "
        f"{f(r['cpu_core_avg'], 2)} / {f(r['cpu_core_peak5s'], 2)} | "
        f"{r['log_errors']} / {r['http_5xx']} | {f(r.get('client_cpu_core_max'), 2)} |"
    )


def _ratios(rows: list[dict[str, Any]]) -> list[str]:
    """2 workers' p95 over 1 worker's, per (N, arrivals): below 1 means faster."""
    lines = []
    by_key = {(r["n"], r["arrival"], r["workers"]): r for r in rows}
    for (n, arrival, workers), two in by_key.items():
        one = by_key.get((n, arrival, 1))
        if workers != 2 or one is None:
            continue
        ratio = two["voice_turn_ms"]["p95"] / one["voice_turn_ms"]["p95"]
        key = two["key_turn_ms"]["p95"] / one["key_turn_ms"]["p95"]
        lines.append(f"N={n} {arrival}: voice ×{f(ratio, 2)}, key ×{f(key, 2)}")
    return lines


def scale_section(data: dict[str, Any], n300: dict[str, Any] | None = None) -> list[str]:
    """Tables for 1 vs 2 workers (and the N = 300 run, its own line of provenance) and
    for distinct customers, with the ratios."""
    rows, distinct = data.get("rows", []), data.get("distinct", [])
    extra = n300.get("rows", []) if n300 else []
    lines = [
        "## 10. Scale-out: 1 worker vs 2, PostgreSQL; distinct customers",
        "",
        meta_line(data),
        "",
        "The capacity call (§1) against `ivr serve` with 1 or 2 uvicorn workers on one "
        "fresh PostgreSQL database per row, arrivals spread over 40 s or in a 2 s burst; the "
        "two worker counts alternate within each N. *Key turn* is the last PIN key → the "
        "first audio of the balance readout. In the *distinct customers* rows every caller "
        "is a different customer with a balance no other caller has, so every readout is "
        "synthesized for that call alone.",
        "",
        _HEAD,
        "|" + "---|" * 10,
        *(_row(r) for r in [*rows, *extra]),
        "",
        "2 workers / 1 worker, p95: " + ("; ".join(_ratios([*rows, *extra])) or "–") + ".",
        "",
    ]
    if n300:
        lines += ["N = 300 rows: " + meta_line(n300), ""]
    if distinct:
        lines += ["Distinct customers:", "", _HEAD, "|" + "---|" * 10]
        lines += [*(_row(r) for r in distinct), ""]
        lines += ["2 workers / 1 worker, p95: " + ("; ".join(_ratios(distinct)) or "–"), ""]
    return lines
