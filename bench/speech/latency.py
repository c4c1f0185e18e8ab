"""Turn latency on held-out speech: end of speech → first answer audio, many calls at once.

Each call says one in-scope main-menu utterance of the held-out test split (its phrasings
and voices, not the capacity benchmark's single sentence), waits for the answer and hangs
up. N calls arrive spread over 40 s (about one call's length), against a fresh server per
condition, side by side in one run:

* the line: ``clean`` or ``noise15`` (the same utterances with 15 dB SNR line noise);
* the recognition: ``two-pass`` (shipped: grammar pass + Whisper second pass, and a second,
  faster hearing of what neither understood), ``two-pass, no second hearing``
  (``IVR_REHEAR_SPEED=1.0``) or ``grammar-only`` (``IVR_SECOND_PASS=off``), so the cost of
  each shows.

The latency is measured at the caller, from the last frame of speech sent (found on the
clean rendering of the same utterance, since line noise hides where speech ends) to the
first audio frame of the answer, whatever the answer is. The line carries the utterance's
own noise level for the whole call (a noisy line is noisy before and after speech), or a
faint hiss on a clean line.
"""

from __future__ import annotations

import base64
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

from bench.capacity import (
    Sampler,
    collect,
    level_row,
    spawn_clients,
    split_client_stats,
)
from bench.metrics import last_voiced_frame
from bench.server import start_server
from bench.speech.decode import Row, read_manifest
from ivr.audio.codec import pcm16_to_ulaw

VARIANTS = {
    "two-pass": {},
    "two-pass, no second hearing": {"IVR_REHEAR_SPEED": "1.0"},
    "grammar-only": {"IVR_SECOND_PASS": "off"},
}
LINES = ("clean", "noise15")
WAIT_AFTER_S = "3"


HISS_RMS = 30.0
"""The faint hiss of a clean line (what :func:`ivr.audio.channel.telephone_channel` adds)."""


def _pcm(path: Path) -> bytes:
    with wave.open(str(path)) as w:
        frames: bytes = w.readframes(w.getnframes())
        return frames


def _ulaw(path: Path) -> bytes:
    return pcm16_to_ulaw(_pcm(path))


def lead_noise_rms(path: Path) -> float:
    """The line noise of a rendered clip: the level of its first 200 ms, before speech."""
    samples = np.frombuffer(_pcm(path)[: 2 * 1600], dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else HISS_RMS


def pick(manifest: Path, n: int) -> list[tuple[Row, Row]]:
    """Up to ``n`` (noisy, clean) renderings of the same in-scope main-menu utterances."""
    rows = [r for r in read_manifest(manifest) if r.menu == "main" and r.expected != "no_match"]
    clean = {(r.text, r.voice): r for r in rows if r.variant == "clean"}
    pairs = [(r, clean[(r.text, r.voice)]) for r in rows if r.variant == "noise15"]
    pairs = [pair for pair in pairs if (pair[1].text, pair[1].voice) in clean]
    step = max(1, len(pairs) // n)
    return pairs[::step][:n]


def run_latency(
    manifest: Path, n: int = 100, spread_s: float = 40.0, limit_s: float = 150.0
) -> dict[str, Any]:
    """Every (variant, line) condition at ``n`` calls; rows for the report."""
    pairs = pick(manifest, n)
    rows = []
    for line in LINES:
        speech: dict[str, str] = {}
        voiced: dict[str, int] = {}
        noise: dict[str, float] = {}
        scripts = []
        for i, (noisy, clean) in enumerate(pairs):
            key = f"{line}-{i}"
            heard = noisy.file if line == "noise15" else clean.file
            speech[key] = base64.b64encode(_ulaw(heard)).decode("ascii")
            voiced[key] = last_voiced_frame(_ulaw(clean.file))
            noise[key] = lead_noise_rms(heard) if line == "noise15" else HISS_RMS
            scripts.append([["say", key], ["wait", WAIT_AFTER_S], ["hangup", ""]])
        for variant, env in VARIANTS.items():
            rows.append(
                _level(n, speech, voiced, noise, scripts, variant, env, line, spread_s, limit_s)
            )
    return {"rows": rows, "utterances": len(pairs), "manifest": str(manifest)}


def _level(
    n: int,
    speech: dict[str, str],
    voiced: dict[str, int],
    noise: dict[str, float],
    scripts: list[list[list[str]]],
    variant: str,
    env: dict[str, str],
    line: str,
    spread_s: float,
    limit_s: float,
) -> dict[str, Any]:
    server = start_server(env_overrides=env)
    try:
        time.sleep(1.0)
        idle = server.usage()
        offsets = [i * spread_s / n for i in range(n)]
        calls_scripts = [scripts[i % len(scripts)] for i in range(n)]
        with Sampler(server) as sampler:
            started = time.monotonic()
            clients = spawn_clients(
                server.base_url, offsets, speech, timeout_s=limit_s - 15,
                scripts=calls_scripts, voiced_end=voiced, line_noise=noise,
            )  # fmt: skip
            calls, client_cpu = split_client_stats(collect(clients, limit_s + spread_s))
            wall = time.monotonic() - started
        errors = server.log_errors()
        http_5xx = server.log_count('" 5')
    finally:
        server.stop()
    row = level_row(n, 1, calls, sampler.samples, idle.rss_bytes, idle.cpu_s, wall,
                    len(errors), http_5xx)  # fmt: skip
    row.update(variant=variant, line=line, client_cpu_core_max=client_cpu, ramp_s=spread_s)
    # A call without an answer to time is a finding in itself: keep what it heard.
    row["unanswered"] = [
        {k: c.get(k) for k in ("sid", "closed_by", "menus", "intents", "outcomes", "error")}
        for c in calls
        if not c.get("ok")
    ]
    return row
