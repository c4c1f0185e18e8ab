"""The speech detector: onset, confirmation, end of speech, noise bursts."""

from __future__ import annotations

from ivr.audio.vad import SpeechDetector, VadConfig, VadEvent

QUIET = 40
LOUD = 3000


def feed(vad: SpeechDetector, level: int, frames: int) -> list[VadEvent]:
    return [e for e in (vad.feed(level) for _ in range(frames)) if e is not VadEvent.NONE]


def test_vad_speech_then_silence_goes_onset_confirmed_end() -> None:
    vad = SpeechDetector(VadConfig(end_silence_frames=25))
    assert feed(vad, QUIET, 50) == []
    assert feed(vad, LOUD, 20) == [VadEvent.ONSET, VadEvent.CONFIRMED]
    assert feed(vad, QUIET, 24) == []
    assert feed(vad, QUIET, 1) == [VadEvent.END]


def test_vad_short_noise_burst_is_discarded_not_speech() -> None:
    vad = SpeechDetector()
    feed(vad, QUIET, 50)
    # A 100 ms click or cough: fewer voiced frames than confirmation needs.
    assert feed(vad, LOUD, 5) == [VadEvent.ONSET]
    assert VadEvent.DISCARD in feed(vad, QUIET, 20)
    assert not vad.in_onset


def test_vad_end_silence_is_set_per_prompt() -> None:
    vad = SpeechDetector()
    vad.set_end_silence_ms(400)
    feed(vad, LOUD, 20)
    assert feed(vad, QUIET, 19) == []
    assert feed(vad, QUIET, 1) == [VadEvent.END]


def test_vad_overlong_utterance_ends_at_the_limit() -> None:
    vad = SpeechDetector(VadConfig(max_frames=100))
    events = feed(vad, LOUD, 150)
    assert events[:3] == [VadEvent.ONSET, VadEvent.CONFIRMED, VadEvent.END]


def test_vad_noise_floor_adapts_to_a_noisy_line() -> None:
    vad = SpeechDetector()
    feed(vad, 250, 400)  # steady line noise below the absolute floor
    assert vad.noise_floor > 200
    # Speech must now stand out against that floor, not just exceed the absolute one.
    assert feed(vad, 500, 20) == []
