"""Fixtures for the recognizer tests."""

from __future__ import annotations

import pytest

from ivr.tts.espeak import EspeakSynthesizer
from tests.asr.asr_speech import Speak, telephone_channel


@pytest.fixture(scope="session")
def telephone_speech() -> Speak:
    """``speak(text, voice="gmw/en-us", rate=150) -> bytes``: 8 kHz 16-bit PCM of real speech.

    espeak-ng says the same text the same way every time (see :mod:`ivr.tts.espeak`), so
    these tests hear the same audio on every run; results are cached per argument set.
    """
    espeak = EspeakSynthesizer()
    cache: dict[tuple[str, str, int], bytes] = {}

    def speak(text: str, voice: str = "gmw/en-us", rate: int = 150) -> bytes:
        key = (text, voice, rate)
        if key not in cache:
            speech = espeak.synthesize(text, voice, rate)
            cache[key] = telephone_channel(speech.pcm, speech.rate, seed=len(cache))
        return cache[key]

    return speak
