"""A load-generator process: many simulated calls with asyncio, one JSON line per call.

Run by the capacity and soak benchmarks as ``python -m bench.load SPEC.json``; several of
these run side by side so the callers do not share (and steal) the server's event loop.
Caller speech is synthesized once by the parent and passed as μ-law, so no process here
spends CPU on text-to-speech while calls are running.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench.metrics import first_audio_after, last_voiced_frame, underruns
from ivr.sim.caller import CallResult, SimConfig, Simulator, Step

SCRIPT = (
    Step("say", "what is my balance"),
    Step("dtmf", "2468"),
    Step("hangup"),
)
"""The realistic call: balance by voice, PIN by keypad, hear the balances, hang up."""
CALLER = "+14155550100"


class CachedSimulator(Simulator):
    """A simulator whose caller speech is pre-rendered (the parent synthesized it)."""

    def __init__(self, config: SimConfig, speech: dict[str, bytes]) -> None:
        super().__init__(config)
        self.speech = speech

    def caller_audio(self, step: Step, seed: int = 0) -> bytes:
        """The pre-rendered telephone audio of a ``say`` step."""
        return self.speech[step.value]


@dataclass
class Spec:
    """What one load process does."""

    base_url: str
    auth_token: str
    api_token: str
    offsets_s: list[float]
    """Start time of each call, seconds after this process starts its clock."""
    speech: dict[str, str]
    """``say`` text → base64 μ-law telephone audio."""
    timeout_s: float = 90.0
    loop_until_s: float = 0.0
    """Soak mode: each call slot places calls back to back until this many seconds."""
    scripts: list[list[list[str]]] | None = None
    """Call scripts as ``[[kind, value], …]``, used round robin; None: :data:`SCRIPT`."""
    voiced_end: dict[str, int] | None = None
    """Last voiced frame of each ``say`` audio when its level cannot tell (a noisy line);
    by default it is found from the audio itself."""
    line_noise: dict[str, float] | None = None
    """Noise level (RMS) of the line during a call whose first ``say`` is the key."""
    callers: list[str] | None = None
    """Caller ID of each call slot (with ``scripts``: every caller a distinct customer);
    None: :data:`CALLER` for all."""


def call_metrics(
    result: CallResult,
    voiced_end: dict[str, int],
    script: tuple[Step, ...] = SCRIPT,
    balance_call: bool = False,
) -> dict[str, Any]:
    """Latencies and health of one finished call (placed with ``script``)."""
    timing = result.timing
    out: dict[str, Any] = {"sid": result.call_sid, "closed_by": result.closed_by}
    if timing is None:
        return out
    out["greeting_ms"] = (
        (timing.audio_in[0][0] - timing.webhook_at) * 1000 if timing.audio_in else None
    )
    voice_ms = []
    for index, sent in timing.step_frames.items():
        step = script[index]
        end = voiced_end.get(step.value, -1)
        if 0 <= end < len(sent):
            gap = first_audio_after(timing, sent[end])
            if gap is not None:
                voice_ms.append(gap * 1000)
    out["voice_turn_ms"] = voice_ms
    key_ms = None
    if timing.dtmf_out:
        gap = first_audio_after(timing, timing.dtmf_out[-1][0])
        key_ms = gap * 1000 if gap is not None else None
    out["key_turn_ms"] = key_ms
    late, worst = underruns(timing)
    out["late_frames"] = late
    out["worst_late_ms"] = worst
    out["frames_in"] = len(timing.audio_in)
    out["audio_in_ms"] = sum(n for _, n in timing.audio_in) / 8
    out["started"] = timing.webhook_at
    record = result.record or {}
    turns = record.get("turns", [])
    out["intents"] = [t.get("intent") for t in turns]
    out["outcomes"] = [t.get("outcome") for t in turns]
    out["menus"] = [t.get("menu") for t in turns]
    if script is SCRIPT or balance_call:
        # Success: the balance was recognized, the PIN accepted, and the caller hung up.
        out["ok"] = (
            result.closed_by == "caller"
            and "balance" in out["intents"]
            and any(t.get("menu") == "pin" and t.get("outcome") == "verified" for t in turns)
        )
    else:
        # Any other script: the caller's first utterance was heard and answered.
        out["ok"] = bool(turns) and bool(voice_ms)
    return out


async def _one(
    spec: Spec,
    speech: dict[str, bytes],
    voiced: dict[str, int],
    script: tuple[Step, ...],
    caller: str = CALLER,
) -> dict[str, Any]:
    first_say = next((step.value for step in script if step.kind == "say"), "")
    config = SimConfig(
        line_noise_rms=(spec.line_noise or {}).get(first_say),
        base_url=spec.base_url,
        public_url=spec.base_url,
        auth_token=spec.auth_token,
        api_token=spec.api_token,
        caller=caller,
        timeout_s=spec.timeout_s,
        record_timing=True,
        # Twilio's media streams are not compressed; zlib on every frame would load both
        # ends with work a real call does not have.
        ws_compression=False,
    )
    sim = CachedSimulator(config, speech)
    began = time.monotonic()
    try:
        result = await sim.place_call(list(script))
    except Exception as exc:  # a failed call is a data point, not a crash
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300], "started": began}
    metrics = call_metrics(result, voiced, script, balance_call=caller != CALLER)
    metrics["ended"] = time.monotonic()
    return metrics


async def run(spec: Spec) -> None:
    """Start each call at its offset; print one JSON line per finished call."""
    speech = {text: base64.b64decode(b64) for text, b64 in spec.speech.items()}
    voiced = {text: last_voiced_frame(audio) for text, audio in speech.items()}
    voiced.update(spec.voiced_end or {})
    scripts = [
        tuple(Step(kind, value) for kind, value in script)  # type: ignore[arg-type]  # kinds come from the spec
        for script in (spec.scripts or [])
    ] or [SCRIPT]
    t0 = time.monotonic()

    async def slot(index: int, offset: float) -> None:
        await asyncio.sleep(offset)
        while True:
            caller = spec.callers[index] if spec.callers else CALLER
            metrics = await _one(spec, speech, voiced, scripts[index % len(scripts)], caller)
            metrics["offset"] = metrics.get("started", t0) - t0
            print(json.dumps(metrics), flush=True)
            if time.monotonic() - t0 >= spec.loop_until_s:
                return

    await asyncio.gather(*(slot(i, o) for i, o in enumerate(spec.offsets_s)))
    # This process's own cost: a saturated load generator would delay its timestamps.
    wall = time.monotonic() - t0
    print(json.dumps({"client_cpu_s": time.process_time(), "client_wall_s": wall}), flush=True)


def main() -> int:
    """Entry point: ``python -m bench.load SPEC.json``."""
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("spec")
    args = parser.parse_args()
    with open(args.spec, encoding="utf-8") as handle:
        spec = Spec(**json.load(handle))
    asyncio.run(run(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
