"""The telephone channel used by the simulator and accuracy tests."""

from __future__ import annotations

import math
import struct

import numpy as np

from ivr.audio.channel import telephone_channel
from ivr.audio.codec import ulaw_to_pcm16


def tone(freq: float, ms: int, rate: int) -> bytes:
    n = rate * ms // 1000
    return struct.pack(
        f"<{n}h", *(int(8000 * math.sin(2 * math.pi * freq * i / rate)) for i in range(n))
    )


def level(ulaw: bytes) -> float:
    x = np.frombuffer(ulaw_to_pcm16(ulaw), dtype="<i2").astype(float)
    return float(np.sqrt(np.mean(x**2)))


def test_channel_output_is_8khz_ulaw_with_padding() -> None:
    out = telephone_channel(tone(1000, 500, 16000), 16000, lead_ms=300, tail_ms=200)
    assert len(out) == 8 * (500 + 300 + 200)


def test_channel_passes_voice_band_and_cuts_below_300_hz() -> None:
    voice = telephone_channel(tone(1000, 500, 16000), 16000, lead_ms=0, tail_ms=0)
    hum = telephone_channel(tone(100, 500, 16000), 16000, lead_ms=0, tail_ms=0)
    assert level(voice) > 10 * level(hum)


def test_channel_noise_at_given_snr_is_roughly_that_loud() -> None:
    clean = telephone_channel(tone(1000, 1000, 8000), 8000, lead_ms=0, tail_ms=0, snr_db=60)
    noisy = telephone_channel(tone(1000, 1000, 8000), 8000, lead_ms=0, tail_ms=0, snr_db=5)
    x = np.frombuffer(ulaw_to_pcm16(clean), dtype="<i2").astype(float)
    y = np.frombuffer(ulaw_to_pcm16(noisy), dtype="<i2").astype(float)
    snr = 10 * math.log10(np.mean(x**2) / np.mean((y - x) ** 2))
    assert 3 < snr < 7


def test_channel_is_never_digitally_silent() -> None:
    out = telephone_channel(b"", 8000, lead_ms=100, tail_ms=0)
    assert level(out) > 0
