"""Real speech for the recognizer tests: espeak-ng speech → telephone channel.

A uniquely named module (not ``conftest``) so test files can import ``Speak`` without
colliding with other test folders' conftest modules.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ivr.audio.codec import pcm16_to_ulaw, resample, ulaw_to_pcm16

TELEPHONE_RATE = 8000
PAD_SECONDS = 0.4
NOISE_RMS = 30.0  # low line noise (16-bit LSB): pads are never exact digital silence

Speak = Callable[..., bytes]


def telephone_channel(pcm16: bytes, rate: int, seed: int = 0) -> bytes:
    """What Twilio would hand us: 8 kHz, through μ-law and back, with quiet noisy pads."""
    decoded = ulaw_to_pcm16(pcm16_to_ulaw(resample(pcm16, rate, TELEPHONE_RATE)))
    rng = np.random.default_rng(seed)
    pad_len = int(PAD_SECONDS * TELEPHONE_RATE)

    def pad() -> bytes:
        noise = np.clip(np.round(rng.normal(0.0, NOISE_RMS, pad_len)), -32768, 32767)
        return noise.astype("<i2").tobytes()

    return pad() + decoded + pad()
