"""Turning a simulated call's wire timestamps into the numbers the benchmarks report."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ivr.audio.codec import rms, ulaw_to_pcm16
from ivr.sim.caller import CallTiming
from ivr.types import FRAME_BYTES, FRAME_MS

VOICED_LEVEL = 300
"""RMS above which a caller frame counts as voiced: the speech detector's own floor."""

UNDERRUN_TOLERANCE_MS = 1.0
"""Lateness below this is clock noise, not a gap a caller could hear."""


def last_voiced_frame(ulaw: bytes) -> int:
    """Index of the last 20 ms frame of ``ulaw`` whose level is speech, or -1."""
    last = -1
    for i in range(0, len(ulaw) // FRAME_BYTES):
        frame = ulaw[i * FRAME_BYTES : (i + 1) * FRAME_BYTES]
        if rms(ulaw_to_pcm16(frame)) >= VOICED_LEVEL:
            last = i
    return last


def first_audio_after(timing: CallTiming, t: float) -> float | None:
    """Seconds from ``t`` to the first server audio that arrived after it."""
    for arrived, _ in timing.audio_in:
        if arrived > t:
            return arrived - t
    return None


def underruns(timing: CallTiming) -> tuple[int, float]:
    """(late frames, worst lateness in ms) over every prompt the call heard.

    A prompt is the audio between two marks. Playback starts when its first frame arrives
    and then needs one frame every 20 ms; a frame that arrives after the moment it should
    start playing is a gap the caller hears (an underrun).
    """
    events: list[tuple[float, int]] = [(t, n) for t, n in timing.audio_in]
    events += [(t, -1) for t, _ in timing.marks_in]
    events.sort(key=lambda e: e[0])
    late, worst = 0, 0.0
    start: float | None = None
    played_ms = 0.0
    for t, size in events:
        if size < 0:
            start = None
            continue
        if start is None:
            start, played_ms = t, 0.0
        lateness = (t - start) * 1000 - played_ms
        if lateness > UNDERRUN_TOLERANCE_MS:
            late += 1
            worst = max(worst, lateness)
        played_ms += size / 8
    return late, worst


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), nearest-rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, p95, p99, min, max and count of ``values``."""
    if not values:
        nan = float("nan")
        return {"n": 0, "p50": nan, "p95": nan, "p99": nan, "min": nan, "max": nan}
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "min": min(values),
        "max": max(values),
    }


FRAME_S = FRAME_MS / 1000
