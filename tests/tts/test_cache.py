"""Prompt audio cache: rendered once per text and voice, re-rendered when the text changes."""

from __future__ import annotations

import asyncio
import math
import stat
import struct
from pathlib import Path

import pytest

from ivr.tts.cache import PromptCache
from ivr.tts.synth import Speech, SynthesisError


class CountingSynth:
    """A fake synthesizer: a tone whose length depends on the text; counts calls."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        if text == "boom":
            raise SynthesisError("engine failed")
        self.calls.append((text, voice))
        n = 80 * len(text)
        pcm = struct.pack(f"<{n}h", *(int(5000 * math.sin(i / 3)) for i in range(n)))
        return Speech(pcm=pcm, rate=16000)


def test_cache_renders_once_and_reuses_across_instances(tmp_path: Path) -> None:
    synth = CountingSynth()
    cache = PromptCache(tmp_path, synth, voice="v1")
    first = cache.get_sync("Hello there")
    assert cache.get_sync("Hello there") == first
    again = PromptCache(tmp_path, synth, voice="v1").get_sync("Hello there")
    assert again == first
    assert synth.calls == [("Hello there", "v1")]


def test_cache_edited_text_or_other_voice_renders_anew(tmp_path: Path) -> None:
    synth = CountingSynth()
    cache = PromptCache(tmp_path, synth, voice="v1")
    cache.get_sync("Hello there")
    cache.get_sync("Hello there!")
    cache.get_sync("Hello there", voice="v2")
    assert len(synth.calls) == 3
    assert len(list(tmp_path.glob("*.ulaw"))) == 3


def test_cache_output_is_8khz_ulaw_without_header(tmp_path: Path) -> None:
    audio = PromptCache(tmp_path, CountingSynth(), voice="v").get_sync("abcd")
    # 320 samples at 16 kHz → 160 at 8 kHz, plus the 60 ms lead-in (480 bytes).
    assert abs(len(audio) - (480 + 160)) <= 2
    assert not audio.startswith(b"RIFF")


def test_cache_concurrent_requests_render_once(tmp_path: Path) -> None:
    synth = CountingSynth()
    cache = PromptCache(tmp_path, synth, voice="v")

    async def many() -> list[bytes]:
        return await asyncio.gather(*(cache.get("same text") for _ in range(5)))

    results = asyncio.run(many())
    assert len(set(results)) == 1
    assert synth.calls == [("same text", "v")]


def test_cache_synthesis_failure_raises_and_caches_nothing(tmp_path: Path) -> None:
    cache = PromptCache(tmp_path, CountingSynth(), voice="v")
    with pytest.raises(SynthesisError):
        asyncio.run(cache.get("boom"))
    assert list(tmp_path.glob("*")) == []


def test_render_all_counts_only_new_prompts(tmp_path: Path) -> None:
    cache = PromptCache(tmp_path, CountingSynth(), voice="v")
    assert cache.render_all(["a", "b", "a"]) == 2
    assert cache.render_all(["a", "b", "c"]) == 1


def test_cache_files_private_to_the_owner(tmp_path: Path) -> None:
    # Dynamic prompts read out balances: the rendered audio is personal data.
    directory = tmp_path / "audio" / "cache"
    cache = PromptCache(directory, CountingSynth(), voice="v1")
    cache.get_sync("Your checking account has forty-two dollars.")
    files = list(directory.iterdir())
    assert len(files) == 1  # no temporary file left behind
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600


def test_cache_keeps_a_bounded_number_of_prompts_in_memory(tmp_path: Path) -> None:
    cache = PromptCache(tmp_path, CountingSynth(), voice="v1")
    cache.memory_entries = 2
    for text in ("one", "two", "one", "three"):  # "two" is now the least recently used
        cache.get_sync(text)
    assert len(cache._memory) == 2
    assert [cache.key(t) in cache._memory for t in ("one", "two", "three")] == [True, False, True]


def test_cache_personal_text_is_kept_nowhere(tmp_path: Path) -> None:
    synth = CountingSynth()
    cache = PromptCache(tmp_path / "cache", synth, voice="v1")
    audio = asyncio.run(cache.get("Your balance is 17 dollars.", personal=True))
    again = asyncio.run(cache.get("Your balance is 17 dollars.", personal=True))
    assert audio == again and len(synth.calls) == 2  # rendered each time, for that call
    assert cache._memory == {} and not (tmp_path / "cache").exists()
