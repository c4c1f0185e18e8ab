"""A telephone channel: what a caller's voice sounds like by the time Twilio streams it.

Band-limited to 300–3400 Hz, 8 kHz, μ-law, optionally with background noise at a given
SNR. The simulator, the tests and the accuracy benchmarks all pass synthesized speech
through it so recognition is measured on telephone audio, not clean audio.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ivr.audio.codec import pcm16_to_ulaw, resample

Samples = npt.NDArray[np.float64]


def _bandpass(x: Samples, rate: int, low: float = 300.0, high: float = 3400.0) -> Samples:
    # An FFT mask is crude but exact about the band edges and needs no scipy.
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), d=1.0 / rate)
    spectrum[(freqs < low) | (freqs > high)] = 0
    out: Samples = np.fft.irfft(spectrum, n=len(x))
    return out


def telephone_channel(
    pcm: bytes,
    rate: int,
    *,
    snr_db: float | None = None,
    seed: int = 0,
    lead_ms: int = 300,
    tail_ms: int = 300,
    noise: bool = True,
) -> bytes:
    """Return 8 kHz μ-law audio of 16-bit PCM ``pcm`` sent over a phone line.

    ``snr_db`` adds white noise at that signal-to-noise ratio; otherwise a faint line
    hiss (about -60 dBFS) is added, as real lines are never digitally silent.
    ``lead_ms``/``tail_ms`` pad the utterance with that hiss. ``noise=False`` adds none
    (a real recording brings its own).
    """
    pcm8 = resample(pcm, rate, 8000)
    x = np.frombuffer(pcm8, dtype="<i2").astype(np.float64)
    pad_lead = np.zeros(8 * lead_ms)
    pad_tail = np.zeros(8 * tail_ms)
    x = np.concatenate([pad_lead, _bandpass(x, 8000) if len(x) else x, pad_tail])
    rng = np.random.default_rng(seed)
    if snr_db is not None and len(x):
        signal_power = float(np.mean(x**2)) or 1.0
        noise_power = signal_power / (10 ** (snr_db / 10))
        x = x + rng.normal(0.0, np.sqrt(noise_power), len(x))
    elif noise:
        x = x + rng.normal(0.0, 30.0, len(x))
    clipped = np.clip(np.round(x), -32768, 32767).astype("<i2")
    return pcm16_to_ulaw(clipped.tobytes())
