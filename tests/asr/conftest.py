"""Fixtures for the recognizer tests.

``telephone_speech`` is to be replaced by the project's own ``ivr.tts`` once it exists;
tests only rely on its signature.
"""

from __future__ import annotations

import pytest

from tests.asr.asr_speech import Speak, synthesize, telephone_channel


@pytest.fixture(scope="session")
def telephone_speech(tmp_path_factory: pytest.TempPathFactory) -> Speak:
    """``speak(text, voice="gmw/en-us", rate=150) -> bytes``: 8 kHz 16-bit PCM of real speech.

    One pyttsx3 engine per process (it is a singleton); results are cached per argument set.
    """
    import pyttsx3

    engine = pyttsx3.init()
    workdir = tmp_path_factory.mktemp("tts")
    cache: dict[tuple[str, str, int], bytes] = {}

    def speak(text: str, voice: str = "gmw/en-us", rate: int = 150) -> bytes:
        key = (text, voice, rate)
        if key not in cache:
            pcm, sample_rate = synthesize(engine, text, voice, rate, workdir / "utt.wav")
            cache[key] = telephone_channel(pcm, sample_rate, seed=len(cache))
        return cache[key]

    return speak
