"""Real speech for the recognizer tests: text → pyttsx3 (espeak-ng) → telephone channel.

To be replaced by the project's own ``ivr.tts`` once it exists; tests only rely on the
``telephone_speech`` fixture's signature.
"""

from __future__ import annotations

import warnings
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # deprecated in 3.11, still the simplest μ-law codec; fine for tests

TELEPHONE_RATE = 8000
PAD_SECONDS = 0.4
NOISE_RMS = 30.0  # low line noise (16-bit LSB): pads are never exact digital silence

Speak = Callable[..., bytes]


def synthesize(engine: object, text: str, voice: str, rate: int, path: Path) -> tuple[bytes, int]:
    """Render ``text`` to a WAV with pyttsx3 and return (16-bit mono PCM, sample rate)."""
    engine.setProperty("voice", voice)  # type: ignore[attr-defined]
    engine.setProperty("rate", rate)  # type: ignore[attr-defined]
    engine.save_to_file(text, str(path))  # type: ignore[attr-defined]
    engine.runAndWait()  # type: ignore[attr-defined]
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return wav.readframes(wav.getnframes()), wav.getframerate()


def telephone_channel(pcm16: bytes, rate: int, seed: int = 0) -> bytes:
    """What Twilio would hand us: 8 kHz, through μ-law and back, with quiet noisy pads."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        narrow, _ = audioop.ratecv(pcm16, 2, 1, rate, TELEPHONE_RATE, None)
        decoded = audioop.ulaw2lin(audioop.lin2ulaw(narrow, 2), 2)
    rng = np.random.default_rng(seed)
    pad_len = int(PAD_SECONDS * TELEPHONE_RATE)

    def pad() -> bytes:
        noise = np.clip(np.round(rng.normal(0.0, NOISE_RMS, pad_len)), -32768, 32767)
        return noise.astype("<i2").tobytes()

    return pad() + decoded + pad()


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
