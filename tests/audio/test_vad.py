"""The speech detector: onset, confirmation, end of speech, noise bursts."""

from __future__ import annotations

import numpy as np

from ivr.audio.vad import SpeechDetector, VadConfig, VadEvent, periodicity

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


def test_vad_noise_floor_is_learnt_before_listening() -> None:
    vad = SpeechDetector()
    for _ in range(100):
        vad.observe(700)  # a noisy line while the greeting plays
    # The caller's first words stand out; the line noise alone never opens an utterance.
    assert feed(vad, 700, 50) == []
    assert feed(vad, 4000, 10) == [VadEvent.ONSET, VadEvent.CONFIRMED]


def test_vad_speech_on_a_noisy_line_ends_when_the_caller_stops() -> None:
    vad = SpeechDetector(VadConfig(end_silence_frames=20))
    for _ in range(100):
        vad.observe(700)
    feed(vad, 4000, 30)
    # Back to line noise: the utterance ends after the end-of-speech silence, not at 12 s.
    assert feed(vad, 700, 20) == [VadEvent.END]
    assert not vad.hit_limit


def test_vad_loud_aperiodic_burst_is_not_speech() -> None:
    vad = SpeechDetector()
    feed(vad, QUIET, 50)
    # A cough: loud for 300 ms but never periodic like a voice.
    events = [vad.feed(LOUD, periodic=False) for _ in range(15)]
    events += [vad.feed(QUIET) for _ in range(20)]
    assert VadEvent.CONFIRMED not in events
    assert VadEvent.DISCARD in events


def test_periodicity_tells_a_vowel_from_noise() -> None:
    rate = 8000
    t = np.arange(320) / rate
    vowel = (3000 * np.sin(2 * np.pi * 140 * t) + 1500 * np.sin(2 * np.pi * 280 * t)).astype(
        np.int16
    )
    noise = np.random.default_rng(1).normal(0, 3000, 320).astype(np.int16)
    assert periodicity(vowel[160:], vowel[:160]) > 0.8
    assert periodicity(noise[160:], noise[:160]) < 0.3
    assert periodicity(np.zeros(160, np.int16), np.zeros(160, np.int16)) == 0.0


def test_vad_line_noise_arriving_while_listening_is_learnt_not_heard_as_speech() -> None:
    vad = SpeechDetector(VadConfig(end_silence_frames=20))
    feed(vad, QUIET, 50)  # a quiet line while the prompt played...
    # ...then steady noise (aperiodic) at once, well above the old floor: a brief onset at
    # most, never speech, and the floor rises to it.
    events = [vad.feed(900, periodic=False) for _ in range(120)]
    assert VadEvent.CONFIRMED not in events
    assert vad.noise_floor >= 800 and not vad.in_onset
    # The caller's speech on that noisy line still starts and ends normally.
    assert feed(vad, 5000, 20) == [VadEvent.ONSET, VadEvent.CONFIRMED]
    assert [vad.feed(900, periodic=False) for _ in range(20)][-1] == VadEvent.END
