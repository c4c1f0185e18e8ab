"""μ-law ↔ 16-bit PCM conversion and resampling.

Twilio Media Streams carry 8 kHz mono μ-law, one byte per sample, no header.
Everything inside the app works on 16-bit little-endian PCM.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

with warnings.catch_warnings():
    # audioop is deprecated (removed in 3.13) but it is C-fast and ships with 3.11,
    # the interpreter this project targets.
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

from ivr.types import FRAME_BYTES

ULAW_SILENCE = b"\xff"
"""μ-law code for zero amplitude."""


def ulaw_to_pcm16(ulaw: bytes) -> bytes:
    """Decode μ-law bytes to 16-bit PCM (same sample rate)."""
    return audioop.ulaw2lin(ulaw, 2)


def pcm16_to_ulaw(pcm: bytes) -> bytes:
    """Encode 16-bit PCM to μ-law (same sample rate)."""
    return audioop.lin2ulaw(pcm, 2)


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample a whole buffer of 16-bit mono PCM."""
    if from_rate == to_rate:
        return pcm
    out, _ = audioop.ratecv(pcm, 2, 1, from_rate, to_rate, None)
    return out


def rms(pcm: bytes) -> int:
    """Root-mean-square level of 16-bit PCM (0..32767)."""
    if not pcm:
        return 0
    return int(audioop.rms(pcm, 2))


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
