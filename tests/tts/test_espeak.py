"""The espeak-ng command: the reproducible voice of simulated callers."""

from __future__ import annotations

import pytest

from ivr.tts.espeak import EspeakSynthesizer
from ivr.tts.synth import Pyttsx3Synthesizer, SynthesisError


def test_espeak_says_the_same_text_the_same_way_every_time() -> None:
    voice = EspeakSynthesizer()
    first = voice.synthesize("main menu", "gmw/en-us", 150)
    voice.synthesize("something else entirely", "gmw/en-us", 170)
    assert first.rate == 22050
    assert len(first.pcm) > first.rate  # over half a second of 16-bit audio
    assert voice.synthesize("main menu", "gmw/en-us", 150) == first


def test_espeak_rate_changes_the_length() -> None:
    voice = EspeakSynthesizer()
    slow = voice.synthesize("what is my balance", "gmw/en-us", 120)
    fast = voice.synthesize("what is my balance", "gmw/en-us", 200)
    assert len(slow.pcm) > 1.3 * len(fast.pcm)


def test_espeak_speaks_text_that_looks_like_an_option() -> None:
    assert len(EspeakSynthesizer().synthesize("-v nonsense", "gmw/en-us", 150).pcm) > 0


def test_espeak_unknown_voice_and_empty_text_are_clear_errors() -> None:
    voice = EspeakSynthesizer()
    with pytest.raises(SynthesisError, match="no-such-voice"):
        voice.synthesize("hello", "no-such-voice", 150)
    with pytest.raises(SynthesisError, match="empty"):
        voice.synthesize("  ", "gmw/en-us", 150)


def test_missing_binary_is_a_clear_error() -> None:
    with pytest.raises(SynthesisError, match="install the espeak-ng package"):
        EspeakSynthesizer(binary="no-such-espeak")


def test_pyttsx3_worker_varies_between_utterances() -> None:
    # Why simulated callers do not use the long-lived pyttsx3 worker: the same text comes
    # out different each time. If this ever fails, pyttsx3 could voice callers again.
    synth = Pyttsx3Synthesizer()
    try:
        takes = {synth.synthesize("main menu", "gmw/en-us", 150).pcm for _ in range(3)}
    finally:
        synth.close()
    assert len(takes) > 1
