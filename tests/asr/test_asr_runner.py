"""AsyncRecognizer: decoding happens off the event loop, in order, with the real engine."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ivr.asr.base import Transcript
from ivr.asr.pocketsphinx_engine import PocketSphinxEngine
from ivr.asr.runner import AsyncRecognizer, default_executor
from tests.asr.asr_grammars import EN_MENU
from tests.asr.asr_speech import Speak

FRAME = 320


@pytest.fixture(scope="module")
def engine() -> PocketSphinxEngine:
    return PocketSphinxEngine()


class SlowSession:
    """A real session slowed down, to make loop blocking and reordering observable."""

    def __init__(self, inner: object, delay: float) -> None:
        self.inner = inner
        self.delay = delay
        self.fed: list[bytes] = []

    def accept(self, pcm16: bytes) -> None:
        time.sleep(self.delay)  # blocks its worker thread, which is the point of the test
        self.fed.append(pcm16)
        self.inner.accept(pcm16)  # type: ignore[attr-defined]

    def partial(self) -> str:
        return str(self.inner.partial())  # type: ignore[attr-defined]

    def finish(self) -> Transcript:
        result: Transcript = self.inner.finish()  # type: ignore[attr-defined]
        return result


@pytest.mark.slow
def test_decoding_does_not_block_the_event_loop(
    engine: PocketSphinxEngine, telephone_speech: Speak
) -> None:
    pcm = telephone_speech("main menu")

    async def scenario() -> tuple[Transcript, int, str]:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.001)

        ticking = asyncio.create_task(ticker())
        recognizer = await AsyncRecognizer.open(engine, EN_MENU)
        # Feed the whole utterance as one chunk: ~50 ms of decoding in one call.
        await recognizer.accept(pcm)
        partial = recognizer.partial()
        transcript = await recognizer.finish()
        stop.set()
        await ticking
        return transcript, ticks, partial

    transcript, ticks, partial = asyncio.run(scenario())
    assert transcript.text == "main menu"
    assert partial == "main menu"
    assert ticks >= 5  # the loop kept running while the decoder worked


@pytest.mark.slow
def test_calls_run_in_order_even_when_fired_concurrently(
    engine: PocketSphinxEngine, telephone_speech: Speak
) -> None:
    pcm = telephone_speech("i lost my card")
    frames = [pcm[i : i + FRAME] for i in range(0, len(pcm), FRAME)]

    async def scenario() -> tuple[Transcript, SlowSession]:
        slow = SlowSession(engine.open(EN_MENU), delay=0.001)
        with ThreadPoolExecutor(max_workers=4) as pool:
            recognizer = AsyncRecognizer(slow, pool)
            # Fire every frame at once, as a media loop that does not await would.
            await asyncio.gather(*(recognizer.accept(f) for f in frames))
            return await recognizer.finish(), slow

    transcript, slow = asyncio.run(scenario())
    assert slow.fed == frames
    assert transcript.text == "i lost my card"


def test_default_executor_is_shared_and_sized_for_the_machine() -> None:
    pool = default_executor()
    assert pool is default_executor()
    assert pool._max_workers >= 2
