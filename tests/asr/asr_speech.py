"""Real speech for the recognizer tests: text → pyttsx3 (espeak-ng) → telephone channel.

A uniquely named module (not ``conftest``) so test files can import ``Speak`` without
colliding with other test folders' conftest modules.
"""

from __future__ import annotations

import warnings
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

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
