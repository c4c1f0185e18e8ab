"""Audio preparation for PocketSphinx: 8 kHz telephone PCM to 16 kHz, dithered.

The US-English PocketSphinx model is trained on 16 kHz audio and a decoder created with
``samprate=8000`` fails, so the 8 kHz Twilio stream is upsampled by two. Exact digital
silence (runs of zeros, which Twilio sends while the caller's line is quiet) wrecks the
decoder's cepstral mean normalisation, so low-level noise is added.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_HALF_TAPS = 48
"""Half the length of the interpolation filter; also its delay in 16 kHz samples (3 ms)."""


def _halfband_filter() -> npt.NDArray[np.float64]:
    """Windowed-sinc low-pass at 4 kHz (of 16 kHz) with gain 2, to fill zero-stuffed samples."""
    n = np.arange(-_HALF_TAPS, _HALF_TAPS + 1)
    taps = np.sinc(n / 2) * np.hamming(len(n))
    result: npt.NDArray[np.float64] = taps / taps.sum() * 2
    return result


_FILTER = _halfband_filter()


class Upsampler2x:
    """Streaming 8 kHz → 16 kHz interpolator whose output does not depend on chunking.

    A causal FIR over the zero-stuffed signal; the last input samples are kept between
    calls so feeding 20 ms frames gives bit-identical output to feeding a whole utterance.
    """

    def __init__(self) -> None:
        self._history = np.zeros(_HALF_TAPS, dtype=np.float64)

    def process(self, samples: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Return ``2 * len(samples)`` samples at 16 kHz (delayed by the filter's 3 ms)."""
        if samples.size == 0:
            return np.zeros(0, dtype=np.float64)
        extended = np.concatenate((self._history, samples))
        stuffed = np.zeros(2 * extended.size, dtype=np.float64)
        stuffed[::2] = extended
        full = np.convolve(stuffed, _FILTER, mode="full")
        start = 2 * self._history.size
        self._history = extended[-_HALF_TAPS:]
        out: npt.NDArray[np.float64] = full[start : start + 2 * samples.size]
        return out


class Dither:
    """Uniform ±``amplitude`` LSB noise from a seeded generator.

    ``Generator.uniform`` consumes one double per sample in order, so the noise sequence is
    the same however the audio is chunked; a fixed seed makes a session reproducible.
    """

    def __init__(self, seed: int, amplitude: float) -> None:
        self._rng = np.random.default_rng(seed)
        self._amplitude = amplitude

    def apply(self, samples: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Return ``samples`` with the noise added."""
        if self._amplitude <= 0:
            return samples
        noise = self._rng.uniform(-self._amplitude, self._amplitude, samples.size)
        out: npt.NDArray[np.float64] = samples + noise
        return out


def pcm16_to_float(pcm16: bytes) -> npt.NDArray[np.float64]:
    """Little-endian 16-bit PCM bytes (even length) as float samples."""
    return np.frombuffer(pcm16, dtype="<i2").astype(np.float64)


def float_to_pcm16(samples: npt.NDArray[np.float64]) -> bytes:
    """Float samples rounded and clipped to little-endian 16-bit PCM bytes."""
    clipped = np.clip(np.round(samples), -32768, 32767)
    return clipped.astype("<i2").tobytes()


class TelephoneTo16k:
    """The whole PocketSphinx front end for one utterance: bytes in, 16 kHz bytes out.

    Tolerates odd-length chunks (a byte split across two ``accept`` calls) by carrying it.
    """

    def __init__(self, seed: int, dither_amplitude: float) -> None:
        self._upsampler = Upsampler2x()
        self._dither = Dither(seed, dither_amplitude)
        self._carry = b""

    def process(self, pcm16_8k: bytes) -> bytes:
        """Convert one chunk; returns an empty bytes object when nothing is complete yet."""
        data = self._carry + pcm16_8k
        usable = len(data) - (len(data) % 2)
        self._carry = data[usable:]
        if usable == 0:
            return b""
        upsampled = self._upsampler.process(pcm16_to_float(data[:usable]))
        return float_to_pcm16(self._dither.apply(upsampled))
