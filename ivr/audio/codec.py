"""μ-law ↔ 16-bit PCM conversion and resampling.

Twilio Media Streams carry 8 kHz mono μ-law, one byte per sample, no header.
Everything inside the app works on 16-bit little-endian PCM.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from ivr.types import FRAME_BYTES

ULAW_SILENCE = b"\xff"
"""μ-law code for zero amplitude."""


def _ulaw_encode_table() -> npt.NDArray[np.uint8]:
    """The μ-law code of every 16-bit sample, indexed by the sample's unsigned bits.

    G.711 as the Sun reference code (and Python's old ``audioop``) computes it: the sample
    is cut to 14 bits, biased, put in one of eight segments and four quantization bits, and
    the code word complemented. Bit-exact with ``audioop.lin2ulaw``.
    """
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(pcm), 8159) + (0x84 >> 2)
    segment_ends = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
    found = np.searchsorted(segment_ends, magnitude)
    segment = np.minimum(found, 7)
    # Past the last segment (only the clipped maximum) the code is the largest one.
    code = np.where(found > 7, 0x7F, (segment << 4) | ((magnitude >> (segment + 1)) & 0xF))
    table = np.empty(65536, dtype=np.uint8)
    table[np.arange(-32768, 32768, dtype=np.int32).astype(np.int16).view(np.uint16)] = (
        code ^ mask
    ).astype(np.uint8)
    return table


def _ulaw_decode_table() -> npt.NDArray[np.int16]:
    """The 16-bit sample of every μ-law code (bit-exact with ``audioop.ulaw2lin``)."""
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    magnitude = (((code & 0xF) << 3) + 0x84) << ((code & 0x70) >> 4)
    return np.where(code & 0x80, 0x84 - magnitude, magnitude - 0x84).astype("<i2")


_ENCODE = _ulaw_encode_table()
_DECODE = _ulaw_decode_table()


def ulaw_to_pcm16(ulaw: bytes) -> bytes:
    """Decode μ-law bytes to 16-bit PCM (same sample rate)."""
    decoded: bytes = _DECODE[np.frombuffer(ulaw, dtype=np.uint8)].tobytes()
    return decoded


def pcm16_to_ulaw(pcm: bytes) -> bytes:
    """Encode 16-bit PCM to μ-law (same sample rate)."""
    usable = len(pcm) - len(pcm) % 2
    encoded: bytes = _ENCODE[np.frombuffer(pcm[:usable], dtype="<u2")].tobytes()
    return encoded


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample a whole buffer of 16-bit mono PCM by linear interpolation.

    The algorithm of Python's retired ``audioop.ratecv`` (bit-exact, from a fresh state):
    output sample j lies between input samples i-1 and i, i = ceil(j·from/to), weighted
    by how far it lies from each, rounded down. Everything the recognizers were measured
    and tuned on (prompts, simulated callers, the evaluation sets) was resampled this
    way; a better filter (soxr was tried) changes what they hear and so needs its own
    re-measurement.
    """
    if from_rate == to_rate:
        return pcm
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.int64)
    if samples.size == 0:
        return b""
    common = math.gcd(from_rate, to_rate)
    step_in, step_out = from_rate // common, to_rate // common
    j = np.arange((samples.size - 1) * step_out // step_in + 1, dtype=np.int64)
    i = (j * step_in + step_out - 1) // step_out
    d = i * step_out - j * step_in
    previous = np.where(i > 0, samples[np.maximum(i - 1, 0)], 0).astype(np.float64)
    mixed = np.floor((previous * d + samples[i].astype(np.float64) * (step_out - d)) / step_out)
    out: bytes = np.clip(mixed, -32768, 32767).astype("<i2").tobytes()
    return out


def rms(pcm: bytes) -> int:
    """Root-mean-square level of 16-bit PCM (0..32767), as ``audioop.rms`` gave it: the
    squares summed exactly, the root truncated."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.int64)
    if samples.size == 0:
        return 0
    return int(math.sqrt(int(np.dot(samples, samples)) / samples.size))


def split_frames(ulaw: bytes, size: int = FRAME_BYTES) -> Iterator[bytes]:
    """Cut μ-law audio into Media Streams frames; the last one is padded with silence."""
    for start in range(0, len(ulaw), size):
        chunk = ulaw[start : start + size]
        if len(chunk) < size:
            chunk += ULAW_SILENCE * (size - len(chunk))
        yield chunk


def split_chunks(ulaw: bytes, frames: int) -> Iterator[bytes]:
    """Cut μ-law audio into chunks of up to ``frames`` 20 ms frames (whole frames: the end
    is padded with silence to the next frame, not to a full chunk)."""
    short = -len(ulaw) % FRAME_BYTES
    padded = ulaw + ULAW_SILENCE * short
    size = FRAME_BYTES * max(1, frames)
    for start in range(0, len(padded), size):
        yield padded[start : start + size]


def silence_ulaw(ms: int) -> bytes:
    """``ms`` milliseconds of 8 kHz μ-law silence."""
    return ULAW_SILENCE * (8 * ms)
