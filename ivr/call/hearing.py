"""Hearing one caller's utterances: the grammar pass decodes audio as it arrives, the
free-form pass starts at the caller's first pause, and the decision rule combines them.

The call session decides *when* an utterance starts and ends (speech detection, keys,
timers); this module does what happens to the audio in between, on the session's event
loop with the blocking decoding in executors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from ivr.asr.base import RecognizerSession, SpeechEngine, Transcript
from ivr.asr.whisper_engine import FreeTranscript
from ivr.grammar.compiler import CompiledMenu
from ivr.recognition.decide import Decision, DecisionPolicy, after_rehearing, decide
from ivr.recognition.evidence import free_meaning, gather
from ivr.recognition.freepass import FreePass
from ivr.recognition.freetext import clean_free, ends_a_sentence
from ivr.types import FRAME_MS

log = logging.getLogger("ivr.call")

FEED_FRAMES = 5
"""Frames batched per recognizer call (100 ms): fewer thread hops, still incremental."""
EARLY_END_SILENCE_MS = 300
"""Pause after which what the caller said so far, when it is already complete (a sentence
of the grammar, or a meaning the free-form pass found), ends the utterance (the full
end-of-speech silence is 450–700 ms)."""
SPECULATE_SILENCE_MS = 160
"""Pause after which the free-form pass starts on what was said so far, so that its answer
is ready by the early end of speech (it takes ~150 ms of CPU)."""
RESUMED_FRAMES = 3
"""Voiced frames (60 ms) after that pause that mean the caller is speaking again."""


@dataclass
class Utterance:
    """Caller audio of one utterance on its way to the recognizer."""

    menu: CompiledMenu
    """The menu grammar this utterance is recognized *and* interpreted with: pinned when
    it starts, so a hot reload can never split one turn between two grammars."""
    queue: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)
    pending: list[bytes] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    """Everything fed to the grammar pass, for the free-form pass."""
    task: asyncio.Task[Transcript] | None = None
    confirmed: bool = False
    partial: str = ""
    """The recognizer's best words so far, updated after each chunk it is fed."""
    speculative: asyncio.Task[FreeTranscript] | None = None
    """The free-form pass started at the caller's first pause, over the audio until then."""
    voiced_since_speculation: int = 0
    """Voiced frames heard since it started: speech again, when there are enough of them."""

    @property
    def spoke_since_speculation(self) -> bool:
        """The caller went on speaking after the pause the free-form pass started at (a
        single loud frame on a noisy line is not speech resuming)."""
        return self.voiced_since_speculation >= RESUMED_FRAMES


@dataclass
class Hearing:
    """The recognizers one call's utterances go through."""

    engine: SpeechEngine
    executor: Executor
    """Runs blocking grammar-pass calls off the event loop."""
    track: Callable[[asyncio.Task[Any]], None]
    """Keeps a task the session must cancel when the call ends."""
    free_pass: FreePass | None = None
    free_executor: Executor | None = None
    decision: DecisionPolicy = field(default_factory=DecisionPolicy)
    call_sid: str = ""

    def open(self, menu: CompiledMenu, preroll: list[bytes]) -> Utterance:
        """Start an utterance heard with ``menu``, beginning with the audio before onset."""
        utt = Utterance(menu, pending=preroll)
        utt.task = asyncio.create_task(self._recognize(utt))
        self.flush(utt)
        return utt

    def feed(self, utt: Utterance, pcm: bytes) -> None:
        """One more frame of the utterance (decoded in batches of ``FEED_FRAMES``)."""
        utt.pending.append(pcm)
        if len(utt.pending) >= FEED_FRAMES:
            self.flush(utt)

    def flush(self, utt: Utterance) -> None:
        """Hand the frames not yet decoded to the grammar pass."""
        if utt.pending:
            chunk = b"".join(utt.pending)
            utt.queue.put_nowait(chunk)
            utt.audio += chunk
            utt.pending = []

    def close(self, utt: Utterance) -> None:
        """No more audio: the grammar pass finishes (its task gives the transcript)."""
        self.flush(utt)
        utt.queue.put_nowait(None)

    def speculate(self, utt: Utterance, silent_frames: int) -> None:
        """At the caller's first pause, start the free-form pass over what they said so far;
        if they go on speaking, the result is not used."""
        if self.free_pass is None or not utt.confirmed:
            return
        if silent_frames == 0 and utt.speculative is not None:
            utt.voiced_since_speculation += 1
        if silent_frames != SPECULATE_SILENCE_MS // FRAME_MS:
            return
        if utt.speculative is not None and not utt.spoke_since_speculation:
            return
        if utt.speculative is not None:
            utt.speculative.cancel()  # its audio is out of date; do not decode it for nothing
        self.flush(utt)
        utt.speculative = asyncio.create_task(self._free(utt.menu, bytes(utt.audio)))
        utt.voiced_since_speculation = 0
        self.track(utt.speculative)

    def complete_so_far(
        self, utt: Utterance, digits: tuple[int, int] | None, silent_frames: int
    ) -> bool:
        """Whether the caller, now pausing, has already said something whole: a sentence
        of the grammar so far, or a meaning the free-form pass found at the pause."""
        if not utt.confirmed or silent_frames < EARLY_END_SILENCE_MS // FRAME_MS:
            return False
        if digits is not None and digits[0] != digits[1]:
            return False  # variable-length numbers: a pause may be between digit groups
        if utt.partial and utt.menu.match(utt.partial) is not None:
            return True
        free = utt.speculative
        if free is None or utt.spoke_since_speculation or not free.done() or free.cancelled():
            return False
        if free.exception() is not None:
            return False
        heard = free.result()
        if ends_a_sentence(heard.text):
            return True
        return free_meaning(utt.menu, clean_free(heard.text, utt.menu)) is not None

    def _free_transcript(self, utt: Utterance) -> asyncio.Task[FreeTranscript | None]:
        """The free-form pass over ``utt``: the one started at the pause if still valid."""
        task = utt.speculative
        if task is None or utt.spoke_since_speculation:
            if task is not None:
                task.cancel()
            task = asyncio.create_task(self._free(utt.menu, bytes(utt.audio)))
        return task

    async def understand(self, utt: Utterance, grammar: Transcript) -> Decision:
        """Combine the grammar pass with the free-form pass (reusing the one started at the
        pause when the caller said nothing more since)."""
        if self.free_pass is None:
            return decide(gather(utt.menu, grammar, None), self.decision)
        try:
            free: FreeTranscript | None = await self._free_transcript(utt)
        except Exception:
            # The second pass only checks and extends the first: without it the call goes
            # on as the grammar pass alone would hear it, rather than to an agent.
            log.exception("call %s: second pass failed; grammar pass alone", self.call_sid)
            return decide(gather(utt.menu, grammar, None), self.decision)
        decision = decide(gather(utt.menu, grammar, free), self.decision)
        if decision.meaning or not self.free_pass.rehears(utt.menu):
            return decision
        return await self._rehear(utt, grammar, decision)

    async def _rehear(self, utt: Utterance, grammar: Transcript, first: Decision) -> Decision:
        """Nobody understood the caller: Whisper hears the utterance once more, faster
        (:data:`ivr.recognition.freepass.REHEAR_SPEED`), before the caller is asked again."""
        free = self.free_pass
        assert free is not None
        loop = asyncio.get_running_loop()
        try:
            again = await loop.run_in_executor(
                self.free_executor, free.rehear, utt.menu, bytes(utt.audio)
            )
        except Exception:
            log.exception("call %s: second hearing failed", self.call_sid)
            return first
        return after_rehearing(first, decide(gather(utt.menu, grammar, again), self.decision))

    async def _free(self, menu: CompiledMenu, audio: bytes) -> FreeTranscript:
        free = self.free_pass
        assert free is not None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.free_executor, free.hear, menu, audio)

    async def _recognize(self, utt: Utterance) -> Transcript:
        loop = asyncio.get_running_loop()
        pool = self.executor
        rec: RecognizerSession = await loop.run_in_executor(
            pool, self.engine.open, utt.menu.recognizer
        )

        def feed(chunk: bytes) -> str:
            rec.accept(chunk)
            return rec.partial()

        while True:
            chunk = await utt.queue.get()
            if chunk is None:
                break
            utt.partial = await loop.run_in_executor(pool, feed, chunk)
        return await loop.run_in_executor(pool, rec.finish)
