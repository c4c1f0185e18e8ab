"""The speech detector on real line conditions: when does it hear the caller stop, and is a
cough ever taken for speech? Before (energy against a slowly adapting floor, learnt only
while listening) and after (:mod:`ivr.audio.vad`), side by side on the same audio.

Each held-out main-menu utterance is embedded in its own line's noise — 1.5 s of it while
the prompt plays, then the utterance, then 3 s more — and fed frame by frame as the call
session does. Reported: the delay from the true end of speech (found on the clean rendering
of the same utterance) to END, how often END never came before the 12 s limit, how often it
came more than 200 ms before speech ended, and how often non-speech (real coughs, line-noise
bursts) was confirmed as speech — which would barge in over a prompt.
"""

from __future__ import annotations

import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bench.metrics import last_voiced_frame
from bench.speech.decode import Row, read_manifest
from ivr.audio.codec import pcm16_to_ulaw
from ivr.audio.vad import FrameAnalyser, SpeechDetector, VadConfig, VadEvent

FRAME = 160
LEAD_S = 1.5
TAIL_S = 3.0
END_SILENCE_MS = 700
"""The open-menu end-of-speech silence (the detector's own rule, no early end here)."""


class _Detector(Protocol):
    def observe(self, level: int) -> None: ...
    def feed(self, level: int, periodic: bool = True) -> VadEvent: ...


class LegacySpeechDetector:
    """The detector before this change, as it was: an exponential floor moved only by quiet
    frames heard while listening, and any loud frames counted towards speech."""

    def __init__(self) -> None:
        self.noise_floor = 60.0
        self.cfg = VadConfig(end_silence_frames=END_SILENCE_MS // 20)
        self._reset()

    def _reset(self) -> None:
        self.in_onset = self.confirmed = False
        self.voiced = self.silent_run = self.frames = 0

    def observe(self, level: int) -> None:
        """It heard nothing outside listening."""

    def feed(self, level: int, periodic: bool = True) -> VadEvent:
        cfg = self.cfg
        voiced = level >= max(cfg.min_level, self.noise_floor * cfg.ratio)
        if not voiced and not self.in_onset:
            self.noise_floor = 0.95 * self.noise_floor + 0.05 * max(level, 1)
        if not self.in_onset:
            if voiced:
                self.in_onset, self.voiced, self.silent_run, self.frames = True, 1, 0, 1
                return VadEvent.ONSET
            return VadEvent.NONE
        self.frames += 1
        if voiced:
            self.voiced += 1
            self.silent_run = 0
        else:
            self.silent_run += 1
        if not self.confirmed:
            if self.voiced >= cfg.confirm_frames:
                self.confirmed = True
                return VadEvent.CONFIRMED
            if self.silent_run >= cfg.abandon_frames:
                self._reset()
                return VadEvent.DISCARD
            return VadEvent.NONE
        if self.silent_run >= cfg.end_silence_frames or self.frames >= cfg.max_frames:
            self._reset()
            return VadEvent.END
        return VadEvent.NONE


def current_detector() -> SpeechDetector:
    detector = SpeechDetector()
    detector.set_end_silence_ms(END_SILENCE_MS)
    return detector


DETECTORS: dict[str, Callable[[], _Detector]] = {
    "before": LegacySpeechDetector,
    "after": current_detector,
}


def _pcm(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)


def _line(noise_rms: float, seconds: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, noise_rms, int(seconds * 8000))


@dataclass
class Outcome:
    """What one detector did with one stream."""

    confirmed_at: int | None
    ended_at: int | None


def run_stream(detector: _Detector, lead: np.ndarray, body: np.ndarray) -> Outcome:
    """Feed ``lead`` as prompt-time frames (not listening), then ``body`` while listening."""
    frames = FrameAnalyser()
    for start in range(0, len(lead) - FRAME + 1, FRAME):
        samples, level = frames.level(_frame(lead, start))
        detector.observe(level)
        frames.advance(samples)
    confirmed = ended = None
    for index, start in enumerate(range(0, len(body) - FRAME + 1, FRAME)):
        samples, level = frames.level(_frame(body, start))
        periodic = level >= 300 and frames.periodic(samples)
        frames.advance(samples)
        event = detector.feed(level, periodic)
        if event is VadEvent.CONFIRMED and confirmed is None:
            confirmed = index
        if event is VadEvent.END and ended is None and confirmed is not None:
            ended = index
            break
    return Outcome(confirmed, ended)


def _frame(x: np.ndarray, start: int) -> bytes:
    frame: bytes = np.clip(x[start : start + FRAME], -32768, 32767).astype("<i2").tobytes()
    return frame


def _pairs(manifest: Path, limit: int) -> list[tuple[Row, Row]]:
    rows = [r for r in read_manifest(manifest) if r.menu == "main" and r.expected != "no_match"]
    clean = {(r.text, r.voice): r for r in rows if r.variant == "clean"}
    pairs = [(r, clean[(r.text, r.voice)]) for r in rows if r.variant == "noise15"
             if (r.text, r.voice) in clean]  # fmt: skip
    return pairs[:: max(1, len(pairs) // limit)][:limit]


def _speech_end_frame(clean: Row) -> int:
    return last_voiced_frame(pcm16_to_ulaw(_pcm(clean.file).astype("<i2").tobytes()))


def speech_endings(manifest: Path, limit: int = 150) -> dict[str, Any]:
    """END delay per detector on the clean and the noisy (15 dB) renderings."""
    out: dict[str, Any] = {}
    pairs = _pairs(manifest, limit)
    for line in ("clean", "noise15"):
        for name, make in DETECTORS.items():
            delays, never, early = [], 0, 0
            for seed, (noisy, clean) in enumerate(pairs):
                heard = _pcm(noisy.file if line == "noise15" else clean.file)
                noise_rms = float(np.sqrt(np.mean(heard[:1600] ** 2))) if line == "noise15" else 30
                lead = _line(noise_rms, LEAD_S, seed)
                body = np.concatenate([heard, _line(noise_rms, TAIL_S, seed + 1)])
                outcome = run_stream(make(), lead, body)
                end = _speech_end_frame(clean)
                if outcome.ended_at is None:
                    never += 1
                    continue
                delay_ms = (outcome.ended_at - end) * 20
                delays.append(delay_ms)
                early += delay_ms < -200
            out[f"{line}/{name}"] = {
                "n": len(pairs),
                "end_delay_ms": _percentiles(delays),
                "never_ended": never,
                "ended_early": early,
            }
    return out


def false_speech(sources: Sequence[tuple[str, np.ndarray]]) -> dict[str, Any]:
    """How often non-speech is confirmed as speech (a barge-in over the prompt)."""
    items = list(sources)
    out: dict[str, Any] = {"kinds": sorted({name.split()[0] for name, _ in items})}
    for name, make in DETECTORS.items():
        confirmed = 0
        for seed, (_, audio) in enumerate(items):
            quiet = _line(30.0, LEAD_S, seed)
            body = np.concatenate([audio, _line(30.0, 1.0, seed + 1)])
            confirmed += run_stream(make(), quiet, body).confirmed_at is not None
        out[name] = {"n": len(items), "confirmed_as_speech": confirmed}
    return out


def non_speech_sources(human_manifest: Path | None) -> list[tuple[str, np.ndarray]]:
    """Real coughs (when the human recordings are there) and synthetic handset bumps,
    breaths and line crackle."""
    items: list[tuple[str, np.ndarray]] = []
    if human_manifest is not None and human_manifest.exists():
        for row in read_manifest(human_manifest):
            if "cough" in row.text:
                items.append((f"cough {row.voice}", _pcm(row.file)))
    rng = np.random.default_rng(11)
    for i in range(30):
        length = int(8000 * rng.uniform(0.15, 0.6))
        envelope = np.hanning(length) * rng.uniform(2000, 9000)
        items.append((f"bump {i}", rng.normal(0, 1, length) * envelope))
        breath = np.convolve(rng.normal(0, 1, 4000), np.ones(8) / 8, mode="same")
        items.append((f"breath {i}", breath * np.hanning(4000) * rng.uniform(800, 3000)))
    return items


def _percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None}
    arr = np.array(values, dtype=float)
    return {"p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95))}


def run_vad(test_manifest: Path, human_manifest: Path | None, limit: int = 150) -> dict[str, Any]:
    """Both measurements of this module."""
    return {
        "endings": speech_endings(test_manifest, limit),
        "false_speech": false_speech(non_speech_sources(human_manifest)),
    }
