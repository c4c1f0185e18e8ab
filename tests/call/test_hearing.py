"""Hearing one utterance: the second, faster hearing starts at the caller's pause as soon as
the first free-form hearing understood nothing, so it is ready (or ends the utterance
early) by the time the pause is over — with scripted recognizers, in stream time."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ivr.asr.base import Transcript
from ivr.asr.whisper_engine import FreeTranscript
from ivr.call.hearing import Hearing, Utterance
from ivr.grammar import compile_grammar_set, load_grammar_dir
from ivr.grammar.compiler import CompiledMenu
from ivr.recognition.freepass import FreePass
from tests.inprocess import InlineExecutor, ScriptedEngine, settle, vowel

ROOT = Path(__file__).resolve().parents[2]
MAIN = compile_grammar_set(load_grammar_dir(ROOT / "grammars" / "en"))["main"]


class ScriptedFreePass(FreePass):
    """Whisper's two hearings, scripted: what it hears at normal speed and played faster."""

    def __init__(self, first: str, faster: str) -> None:
        super().__init__(engine=None, rehear_speed=1.12)  # type: ignore[arg-type]
        self.first, self.faster = first, faster
        self.calls: list[str] = []

    def hear(self, menu: CompiledMenu, pcm8k: bytes) -> FreeTranscript:
        self.calls.append("hear")
        return FreeTranscript(self.first, -0.2, 0.02)

    def rehear(self, menu: CompiledMenu, pcm8k: bytes) -> FreeTranscript:
        self.calls.append("rehear")
        return FreeTranscript(self.faster, -0.2, 0.02)


def speaking(free: ScriptedFreePass) -> tuple[Hearing, Utterance, set[Any]]:
    tasks: set[Any] = set()
    hearing = Hearing(
        engine=ScriptedEngine(),
        executor=InlineExecutor(),
        track=tasks.add,
        free_pass=free,
        free_executor=InlineExecutor(),
    )
    utt = hearing.open(MAIN, [])
    utt.confirmed = True
    voice = vowel(600)
    for i in range(0, len(voice), 160):
        hearing.feed(utt, voice[i : i + 160])
    return hearing, utt, tasks


async def pause(hearing: Hearing, utt: Utterance, frames: int) -> int | None:
    """Silent frames until the utterance may end early; None if it never may."""
    for silent in range(1, frames + 1):
        hearing.speculate(utt, silent)
        await settle()
        if hearing.complete_so_far(utt, None, silent):
            return silent
    return None


async def finish(hearing: Hearing, utt: Utterance) -> tuple[str, str]:
    hearing.close(utt)
    assert utt.task is not None
    transcript: Transcript = await utt.task
    decision = await hearing.understand(utt, transcript)
    return decision.meaning, decision.reason


def run(coro: Any) -> Any:
    async def main() -> Any:
        asyncio.get_running_loop().set_default_executor(InlineExecutor())
        return await coro()

    return asyncio.run(main())


def test_hearing_a_faster_hearing_at_the_pause_understands_and_ends_early() -> None:
    free = ScriptedFreePass("malice please", "Balance please.")

    async def scenario() -> tuple[int | None, tuple[str, str]]:
        hearing, utt, _ = speaking(free)
        ended = await pause(hearing, utt, 35)
        return ended, await finish(hearing, utt)

    ended, (meaning, reason) = run(scenario)
    assert ended == 15  # 300 ms into the pause, not the full 700 ms
    assert meaning == "balance please" and reason.endswith("re-heard faster")
    assert free.calls == ["hear", "rehear"]  # each hearing once: the end reused both


def test_hearing_nothing_understood_twice_is_a_no_match_without_a_third_hearing() -> None:
    free = ScriptedFreePass("the weather in boston", "the weather in boston")

    async def scenario() -> tuple[int | None, tuple[str, str]]:
        hearing, utt, _ = speaking(free)
        ended = await pause(hearing, utt, 35)
        return ended, await finish(hearing, utt)

    ended, (meaning, _) = run(scenario)
    assert ended is None and meaning == ""
    assert free.calls == ["hear", "rehear"]


def test_hearing_a_first_hearing_that_understood_needs_no_second() -> None:
    free = ScriptedFreePass("what is my balance", "policy")

    async def scenario() -> tuple[str, str]:
        hearing, utt, _ = speaking(free)
        await pause(hearing, utt, 35)
        return await finish(hearing, utt)

    meaning, _ = run(scenario)
    assert meaning == "what is my balance"
    assert free.calls == ["hear"]


def test_hearing_speech_after_the_pause_discards_both_speculative_hearings() -> None:
    free = ScriptedFreePass("malice", "the weather")

    async def scenario() -> list[str]:
        hearing, utt, _ = speaking(free)
        await pause(hearing, utt, 12)  # both hearings ran on the audio up to the pause
        voice = vowel(400)
        for i in range(0, len(voice), 160):
            hearing.feed(utt, voice[i : i + 160])
            hearing.speculate(utt, 0)  # the caller speaks again
        await pause(hearing, utt, 35)
        await finish(hearing, utt)
        return free.calls

    assert run(scenario) == ["hear", "rehear", "hear", "rehear"]
