"""Where the server spends its CPU under load: py-spy samples of a real server process.

``python -m bench.profile [N]`` starts a server, drives N scripted calls at it from load
processes and records the server with py-spy (a sampling profiler attached from outside,
so the server runs unmodified). Prints the functions with the most samples, by own time
and by inclusive time, and writes ``bench/results/profile.json``.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.capacity import caller_speech, collect, spawn_clients
from bench.report import RESULTS
from bench.server import start_server

PY_SPY = str(Path(sys.executable).parent / "py-spy")
"""Installed into the venv by the ``bench`` extra."""


def _frames(stack: str) -> list[str]:
    # py-spy raw format: "frame;frame;frame count", outermost first; frames "func (file:line)".
    return [part.split(" (")[0] + " (" + part.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1]
            + ")" for part in stack.split(";")]  # fmt: skip


def profile(n: int, seconds: int = 30, workers: int = 1) -> dict[str, object]:
    """Profile one server process while ``n`` calls run; top functions by samples."""
    speech = caller_speech()
    server = start_server(workers=workers)
    raw = Path(tempfile.mkstemp(prefix="ivr-pyspy-", suffix=".txt")[1])
    try:
        offsets = [i / 20.0 for i in range(n)]
        procs = spawn_clients(server.base_url, offsets, speech, timeout_s=100)
        time.sleep(min(10.0, n / 20.0) + 2)  # profile the steady part, after the ramp
        pid = server.tree()[-1].pid if workers > 1 else server.proc.pid
        subprocess.run(
            [PY_SPY, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "200",
             "--format", "raw", "--output", str(raw), "--nonblocking"],
            check=False, capture_output=True,
        )  # fmt: skip
        collect(procs, 150)
    finally:
        server.stop()
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_s = line.rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        count = int(count_s)
        frames = _frames(stack)
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    raw.unlink(missing_ok=True)
    return {
        "n": n,
        "samples": total,
        "own": [(k, v / total) for k, v in own.most_common(25)] if total else [],
        "inclusive": [(k, v / total) for k, v in inclusive.most_common(40)] if total else [],
    }


def main() -> int:
    """Entry point: ``python -m bench.profile [N]``."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    result = profile(n)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "profile.json").write_text(json.dumps(result, indent=1) + "\n")
    for title in ("own", "inclusive"):
        print(f"-- {title}")
        for name, share in result[title]:  # type: ignore[attr-defined]
            print(f"{100 * share:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
