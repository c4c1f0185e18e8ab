"""Speech detection on 20 ms telephone frames: when a caller starts and stops talking.

Energy-based with an adaptive noise floor — cheap enough for hundreds of calls and good
enough on phone lines, where the recognizer, not this detector, decides *what* was said.
It answers three questions the call session needs:

* is this the start of something that might be speech? (begin capturing, with pre-roll)
* is it really speech and not a cough or click? (only then barge in over a prompt)
* has the caller stopped? (trailing silence longer than the prompt's end-of-speech time)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class VadEvent(Enum):
    """What changed with the frame just fed."""

    NONE = "none"
    ONSET = "onset"
    """Energy rose: might be speech; start capturing."""
    CONFIRMED = "confirmed"
    """Enough voiced frames: this is speech (barge-in is allowed now)."""
    END = "end"
    """Speech was confirmed and has been followed by enough silence."""
    DISCARD = "discard"
    """The onset died out before it was confirmed: a noise burst, not speech."""


@dataclass
class VadConfig:
    """Thresholds in frames of 20 ms and levels in RMS units of 16-bit PCM."""

    min_level: int = 300
    """Absolute floor below which nothing is speech (μ-law hiss is around 30–60)."""
    ratio: float = 3.0
    """A frame is voiced when it is this many times above the noise floor."""
    confirm_frames: int = 8
    """Voiced frames (160 ms) needed before an onset counts as speech."""
    end_silence_frames: int = 30
    """Unvoiced frames after speech that end the utterance (600 ms)."""
    abandon_frames: int = 15
    """Unvoiced frames after an unconfirmed onset that discard it (300 ms)."""
    max_frames: int = 600
    """Longest utterance (12 s): then it ends regardless."""


class SpeechDetector:
    """Frame-by-frame state machine; feed it the RMS of each 20 ms frame."""

    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()
        self.noise_floor = 60.0
        self.reset()

    def reset(self) -> None:
        """Forget any utterance in progress (the noise floor is kept).

        ``hit_limit`` says whether the utterance that just ENDed reached ``max_frames``.
        """
        self.in_onset = False
        self.confirmed = False
        self.hit_limit = False
        self.voiced = 0
        self.silent_run = 0
        self.frames = 0

    def set_end_silence_ms(self, ms: int) -> None:
        """Per-prompt end-of-speech time: short for yes/no and digits, longer for menus."""
        self.config.end_silence_frames = max(5, ms // 20)

    def feed(self, level: int) -> VadEvent:
        """Advance by one frame with RMS ``level``."""
        cfg = self.config
        threshold = max(cfg.min_level, self.noise_floor * cfg.ratio)
        voiced = level >= threshold
        if not voiced and not self.in_onset:
            # Track the line's noise floor only outside speech, slowly.
            self.noise_floor = 0.95 * self.noise_floor + 0.05 * max(level, 1)
        if not self.in_onset:
            if voiced:
                self.in_onset = True
                self.voiced = 1
                self.silent_run = 0
                self.frames = 1
                return VadEvent.ONSET
            return VadEvent.NONE
        self.frames += 1
        if voiced:
            self.voiced += 1
            self.silent_run = 0
        else:
            self.silent_run += 1
        if not self.confirmed:
            if self.voiced >= cfg.confirm_frames:
                self.confirmed = True
                return VadEvent.CONFIRMED
            if self.silent_run >= cfg.abandon_frames:
                self.reset()
                return VadEvent.DISCARD
            return VadEvent.NONE
        if self.silent_run >= cfg.end_silence_frames or self.frames >= cfg.max_frames:
            hit_limit = self.frames >= cfg.max_frames
            self.reset()
            # Read by the session right after END: nobody answers a menu with 12 s of
            # unbroken sound, so that is noise, not speech.
            self.hit_limit = hit_limit
            return VadEvent.END
        return VadEvent.NONE
