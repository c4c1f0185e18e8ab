"""μ-law codec and framing."""

from __future__ import annotations

import math
import struct

from ivr.audio.codec import (
    ULAW_SILENCE,
    pcm16_to_ulaw,
    resample,
    rms,
    silence_ulaw,
    split_frames,
    ulaw_to_pcm16,
)


def tone(freq: float, ms: int, rate: int = 8000, amp: int = 8000) -> bytes:
    n = rate * ms // 1000
    return struct.pack(
        f"<{n}h", *(int(amp * math.sin(2 * math.pi * freq * i / rate)) for i in range(n))
    )


def test_ulaw_round_trip_keeps_the_signal_close() -> None:
    pcm = tone(440, 100)
    back = ulaw_to_pcm16(pcm16_to_ulaw(pcm))
    assert len(back) == len(pcm)
    assert abs(rms(back) - rms(pcm)) < rms(pcm) * 0.05


def test_ulaw_matches_g711_at_known_points() -> None:
    # The Sun reference code (and Python's retired audioop) give these.
    assert pcm16_to_ulaw(struct.pack("<5h", 0, 32767, -32768, 1000, -1000)) == bytes(
        [0xFF, 0x80, 0x00, 0xCE, 0x4E]
    )
    assert struct.unpack("<3h", ulaw_to_pcm16(bytes([0x00, 0x80, 0xFF]))) == (-32124, 32124, 0)


def test_ulaw_every_code_survives_a_round_trip() -> None:
    codes = bytes(range(256))
    decoded = ulaw_to_pcm16(codes)
    assert ulaw_to_pcm16(pcm16_to_ulaw(decoded)) == decoded
    # ... and an odd trailing byte (half a sample) is not encoded.
    assert len(pcm16_to_ulaw(b"\x00\x00\x01")) == 1


def test_ulaw_silence_byte_decodes_to_zero() -> None:
    assert ulaw_to_pcm16(ULAW_SILENCE * 4) == b"\x00\x00" * 4
    assert silence_ulaw(20) == ULAW_SILENCE * 160


def test_split_frames_pads_the_last_frame_with_silence() -> None:
    frames = list(split_frames(b"\x01" * 350))
    assert [len(f) for f in frames] == [160, 160, 160]
    assert frames[-1].endswith(ULAW_SILENCE * 130)


def test_resample_changes_length_by_the_rate_ratio() -> None:
    pcm = tone(300, 1000, rate=22050)
    out = resample(pcm, 22050, 8000)
    assert abs(len(out) // 2 - 8000) <= 2
    assert resample(pcm, 8000, 8000) is pcm


def test_resample_interpolates_linearly_and_rounds_down() -> None:
    # audioop.ratecv's rule, which every prompt and simulated caller was rendered with.
    def pcm(*samples: int) -> bytes:
        return struct.pack(f"<{len(samples)}h", *samples)

    assert resample(pcm(0, 100), 8000, 16000) == pcm(0, 50, 100)
    assert resample(pcm(-1, 0), 8000, 16000) == pcm(-1, -1, 0)
    assert resample(pcm(30, 60, 90, 120, 150, 180), 24000, 8000) == pcm(30, 120)


def test_rms_of_empty_is_zero() -> None:
    assert rms(b"") == 0


def test_split_chunks_keeps_whole_frames_and_pads_only_the_last_frame() -> None:
    from ivr.audio.codec import split_chunks

    chunks = list(split_chunks(b"\x01" * 1000, frames=3))
    assert [len(c) for c in chunks] == [480, 480, 160]
    assert b"".join(chunks)[:1000] == b"\x01" * 1000
    assert b"".join(chunks)[1000:] == b"\xff" * 120
