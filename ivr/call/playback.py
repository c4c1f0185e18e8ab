"""What the caller is hearing: prompts sent to Twilio whose marks have not come back yet.

Twilio plays outbound audio in order and answers each ``mark`` when the audio before it
has played (or was cleared). A prompt is *playing* from the moment it is sent until its
mark returns; the no-input timer starts only when nothing is playing any more.
"""

from __future__ import annotations

import asyncio
import contextlib


class Playback:
    """The marks of one call's prompts still playing."""

    def __init__(self) -> None:
        self._pending: set[str] = set()
        self._drained = asyncio.Event()
        self._drained.set()
        self._seq = 0

    def next_mark(self, prompt_id: str) -> str:
        """A mark name for the next prompt, unique within the call."""
        self._seq += 1
        return f"{prompt_id}-{self._seq}"

    def sent(self, mark: str) -> None:
        """The prompt's audio has been sent and its mark is being sent."""
        self._pending.add(mark)
        self._drained.clear()

    def returned(self, mark: str) -> bool:
        """Twilio sent ``mark`` back; True when that was the last prompt playing. Marks we
        never sent, or that came back already, change nothing."""
        if mark not in self._pending:
            return False
        self._pending.discard(mark)
        if self._pending:
            return False
        self._drained.set()
        return True

    @property
    def playing(self) -> bool:
        """Whether any prompt is still playing."""
        return bool(self._pending)

    async def finished(self, limit_s: float = 30.0) -> None:
        """Wait until nothing is playing (at most ``limit_s``: a lost mark must not keep a
        call open for ever)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), timeout=limit_s)
