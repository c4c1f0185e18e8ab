"""Typed telephony values shared across the package."""

from __future__ import annotations

from enum import StrEnum
from typing import NewType

CallSid = NewType("CallSid", str)
"""Twilio call id: 34 characters starting with ``CA``."""

StreamSid = NewType("StreamSid", str)
"""Twilio media stream id: starts with ``MZ``."""


class DtmfKey(StrEnum):
    """A key on the telephone keypad, as Media Streams reports it in ``dtmf.digit``."""

    D0 = "0"
    D1 = "1"
    D2 = "2"
    D3 = "3"
    D4 = "4"
    D5 = "5"
    D6 = "6"
    D7 = "7"
    D8 = "8"
    D9 = "9"
    STAR = "*"
    HASH = "#"


SAMPLE_RATE = 8000
"""Twilio Media Streams audio is always 8 kHz mono μ-law."""

FRAME_MS = 20
FRAME_BYTES = 160
"""One 20 ms Media Streams frame: 160 μ-law bytes (one byte per sample)."""
