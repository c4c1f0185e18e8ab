"""``python -m bench [speech|speech-latency|vad|capacity|capacity-spread|accuracy|
grammar-vs-free|soak|scale|soak-scale|all] [--quick]``.

Each sub-benchmark saves its numbers to ``bench/results/<name>.json``; afterwards
``BENCHMARKS.md`` is rewritten from every result file present, so running one
sub-benchmark refreshes its section and keeps the others.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.report import RESULTS, environment, write_report

FULL_LEVELS = [1, 10, 25, 50, 100, 200]
QUICK_LEVELS = [1, 10, 25]
SPREAD_LEVELS = [100, 200]
QUICK_SPREAD_LEVELS = [25]
SPREAD_S = 40.0
"""About one scripted call's length: arrivals spread this wide still overlap at the peak."""


def _capacity(args: argparse.Namespace) -> dict[str, Any]:
    from bench.capacity import caller_speech, run_level

    levels = args.levels or (QUICK_LEVELS if args.quick else FULL_LEVELS)
    speech = caller_speech()
    rows = []
    # Variants and worker counts alternate within each N: side by side, same machine state.
    for n in levels:
        for workers in args.workers:
            for variant in args.variants:
                print(f"capacity: {n} calls, {workers} worker(s), {variant}", file=sys.stderr)
                rows.append(
                    run_level(
                        n,
                        speech,
                        workers=workers,
                        limit_s=args.level_limit_s + (args.spread_s or 0),
                        variant=variant,
                        ramp_s=getattr(args, "spread_s", None),
                    )
                )
    return {"rows": rows}


def _capacity_spread(args: argparse.Namespace) -> dict[str, Any]:
    """Capacity with each level's arrivals spread over about one call's length."""
    spread = argparse.Namespace(**vars(args))
    spread.spread_s = args.spread_s or SPREAD_S
    spread.levels = args.levels or (QUICK_SPREAD_LEVELS if args.quick else SPREAD_LEVELS)
    return _capacity(spread)


def _accuracy(args: argparse.Namespace) -> dict[str, Any]:
    from bench.accuracy import run_accuracy

    return run_accuracy(quick=args.quick, freeform=False)


def _grammar_vs_free(args: argparse.Namespace) -> dict[str, Any]:
    from bench.accuracy import run_accuracy

    return run_accuracy(quick=args.quick, freeform=True)


def _speech(args: argparse.Namespace) -> dict[str, Any]:
    from bench.speech.run import HUMAN_SOURCE, run_speech

    return run_speech(quick=args.quick, human=args.human or HUMAN_SOURCE)


def _speech_latency(args: argparse.Namespace) -> dict[str, Any]:
    from bench.speech.corpus import build
    from bench.speech.latency import run_latency
    from bench.speech.run import WORK

    n = 20 if args.quick else 100
    return run_latency(build("test", WORK), n=n, spread_s=args.spread_s or SPREAD_S)


def _vad(args: argparse.Namespace) -> dict[str, Any]:
    from bench.speech.corpus import build, build_human
    from bench.speech.run import HUMAN_SOURCE, WORK
    from bench.speech.vad import run_vad

    human = build_human("test", args.human or HUMAN_SOURCE, WORK)
    return run_vad(build("test", WORK), human, limit=40 if args.quick else 150)


def _soak(args: argparse.Namespace) -> dict[str, Any]:
    from bench.soak import run_soak

    minutes = args.minutes if args.minutes is not None else (2.0 if args.quick else 30.0)
    return run_soak(minutes=minutes, concurrent=args.concurrent)


def _soak_scale(args: argparse.Namespace) -> dict[str, Any]:
    from bench.scale import run_scale_soak

    minutes = args.minutes if args.minutes is not None else (2.0 if args.quick else 30.0)
    return run_scale_soak(minutes=minutes, concurrent=args.concurrent)


def _scale(args: argparse.Namespace) -> dict[str, Any]:
    from bench.scale import run_scale

    return run_scale(quick=args.quick)


def _scale_300(args: argparse.Namespace) -> dict[str, Any]:
    """The issue's goal level, apart so the N = 50-200 run need not be repeated."""
    from bench.scale import run_scale

    return run_scale(levels=(300,), distinct=False)


BENCHES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "speech": _speech,
    "speech-latency": _speech_latency,
    "vad": _vad,
    "capacity": _capacity,
    "capacity-spread": _capacity_spread,
    "accuracy": _accuracy,
    "grammar-vs-free": _grammar_vs_free,
    "soak": _soak,
    "scale": _scale,
    "soak-scale": _soak_scale,
    "scale-300": _scale_300,
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks (all by default) and rewrite BENCHMARKS.md."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("which", nargs="*", choices=[*BENCHES, "all", "report"], default=["all"])
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument("--levels", type=int, nargs="+", help="capacity: call counts")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="capacity: server processes"
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["baseline", "current"],
        choices=["baseline", "current"],
        help="capacity: app builds to compare (baseline = before the performance changes)",
    )
    parser.add_argument(
        "--spread-s", type=float, help=f"capacity-spread: arrival window (default {SPREAD_S:g} s)"
    )
    parser.add_argument("--level-limit-s", type=float, default=150.0, help="capacity: per N")
    parser.add_argument("--minutes", type=float, help="soak duration (default 30; quick 2)")
    parser.add_argument("--concurrent", type=int, default=15, help="soak: calls at once")
    parser.add_argument(
        "--human",
        type=Path,
        help="speech/vad: manifest of real human recordings (python -m bench.speech.human)",
    )
    args = parser.parse_args(argv)
    chosen = list(BENCHES) if "all" in args.which else [w for w in args.which if w in BENCHES]
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        started = time.monotonic()
        data = BENCHES[name](args)
        data["meta"] = {**environment(), "quick": args.quick, "seconds": time.monotonic() - started}
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(data, indent=1, default=str) + "\n")
        print(f"{name}: {path}", file=sys.stderr)
    out = write_report()
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
