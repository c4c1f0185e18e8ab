"""Keypad input of one call: flood limits, type-ahead between turns, multi-digit entry.

Pure and bounded: no clock of its own (the session passes stream time and wall-clock
time), no I/O, and no state that grows with the number of keys received — a socket that
sends sixteen thousand ``dtmf`` frames costs sixteen thousand constant-time steps, then
the stream ends (:attr:`Admission.FLOOD`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

INTER_DIGIT_MS = 3000
"""Multi-digit entry ends this long (stream time) after the last key when the caller does
not press #."""
MAX_TYPEAHEAD = 16
"""Keys kept between turns for the next prompt; later ones are dropped."""


@dataclass(frozen=True)
class KeyLimits:
    """How many keys a call may send, and when too many end it."""

    per_stream_second: int = 12
    """No keypad sends more keys per second of call audio; extra keys are dropped."""
    per_wall_second: int = 50
    """Keys per second of wall-clock time. Stream time stands still while no audio arrives,
    so a socket sending only keys is bounded here. Loose enough for simulated callers
    paced several times faster than real time (whose keys arrive 25-35 ms apart)."""
    flood_after: int = 48
    """Keys dropped in a row (no key accepted in between) that make the input a flood: no
    person does that, so the stream ends instead of reading keys forever."""


class Admission(Enum):
    """What to do with one key the caller sent."""

    ACCEPT = "accept"
    DROP = "drop"
    """Over the rate: ignored, the call goes on."""
    FLOOD = "flood"
    """Sustained flood: end the stream."""


class _Window:
    """Times of the last ``limit`` accepted keys: full when all are within one second."""

    def __init__(self, limit: int) -> None:
        self._times: deque[int] = deque(maxlen=limit)

    def full(self, now_ms: int) -> bool:
        times = self._times
        return len(times) == times.maxlen and times[0] > now_ms - 1000

    def add(self, now_ms: int) -> None:
        self._times.append(now_ms)


class KeyCollector:
    """One call's keypad: admits keys, collects digits for a turn, keeps type-ahead."""

    def __init__(self, limits: KeyLimits | None = None) -> None:
        self.limits = limits or KeyLimits()
        self._stream = _Window(self.limits.per_stream_second)
        self._wall = _Window(self.limits.per_wall_second)
        self._dropped = 0
        self._digits = ""
        self._bounds: tuple[int, int] | None = None
        self._deadline: int | None = None
        self._full_at: int | None = None
        """When the last number was submitted for reaching its maximum length."""
        self._typeahead: deque[str] = deque(maxlen=MAX_TYPEAHEAD)

    # -- admission -------------------------------------------------------------------

    def admit(self, stream_ms: int, wall_ms: int) -> Admission:
        """Whether a key arriving now is taken, dropped, or one too many."""
        if self._stream.full(stream_ms) or self._wall.full(wall_ms):
            self._dropped += 1
            return Admission.FLOOD if self._dropped >= self.limits.flood_after else Admission.DROP
        self._dropped = 0
        self._stream.add(stream_ms)
        self._wall.add(wall_ms)
        return Admission.ACCEPT

    def late_terminator(self, key: str, stream_ms: int) -> bool:
        """Whether ``key`` is the ``#`` that ends a number already submitted at its maximum
        length: to be ignored, not heard as the caller's next input.

        Prompts say "… then press pound", so callers finish a full-length number (or a
        PIN) with ``#`` out of habit. The entry was complete at its last digit and the
        dialog has moved on; that ``#`` would otherwise interrupt the very next prompt —
        the PIN request, or the balance the PIN was for — as a barge-in.
        """
        full_at, self._full_at = self._full_at, None
        return key == "#" and full_at is not None and stream_ms - full_at <= INTER_DIGIT_MS

    @property
    def dropping(self) -> bool:
        """True while keys are being dropped (from the first drop to the next accepted key)."""
        return self._dropped > 0

    # -- one turn's entry --------------------------------------------------------------

    def listen(self, digits: tuple[int, int] | None) -> None:
        """A turn starts: ``digits`` is (min, max) for a number, None for one-key menus."""
        self._bounds = digits
        self._digits = ""
        self._deadline = None

    def stop(self) -> None:
        """The turn is over: whatever was being collected is forgotten."""
        self.listen(None)

    def press(self, key: str, stream_ms: int) -> str | None:
        """An admitted key during a turn; returns the entry to submit when it is complete.

        One-key menus submit every key. Numbers end with ``#``, at their maximum length,
        or (see :meth:`due`) ``INTER_DIGIT_MS`` after the last key.
        """
        if self._bounds is None:
            return key
        if key == "#":
            return self._take() if self._digits else None
        self._digits += key
        if len(self._digits) >= self._bounds[1]:
            self._full_at = stream_ms
            return self._take()
        self._deadline = stream_ms + INTER_DIGIT_MS
        return None

    def due(self, stream_ms: int) -> str | None:
        """The digits collected so far once the inter-digit time has passed, else None."""
        if self._deadline is not None and stream_ms >= self._deadline:
            return self._take()
        return None

    @property
    def collecting(self) -> bool:
        """Whether the caller has started keying a number this turn."""
        return bool(self._digits)

    def _take(self) -> str:
        digits, self._digits, self._deadline = self._digits, "", None
        return digits

    # -- between turns ----------------------------------------------------------------

    def hold(self, key: str) -> None:
        """Keep an admitted key pressed between turns for the next prompt (bounded)."""
        if len(self._typeahead) < MAX_TYPEAHEAD:
            self._typeahead.append(key)

    def take_typeahead(self) -> list[str]:
        """The keys held between turns, oldest first; the buffer is emptied."""
        keys = list(self._typeahead)
        self._typeahead.clear()
        return keys
