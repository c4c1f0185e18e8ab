"""Prompt audio cache: text → 8 kHz μ-law, stored under ``audio/`` by content hash.

The file name hashes the text, the voice, the rate and the synthesizer, so an edited
prompt renders anew and an unchanged one is reused across restarts. Personal prompts (a
caller's balances, a read-back account number) are rendered for the call that needs them
and never stored, on disk or in memory: amounts and account numbers live in the database
only. The in-memory copy of static prompts is bounded (least recently used out first).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from ivr.audio.codec import pcm16_to_ulaw, resample, silence_ulaw
from ivr.private_files import private_dir, write_private
from ivr.tts.synth import Synthesizer

CACHE_VERSION = "1"
"""Bump when the rendering pipeline changes, so old audio is not reused."""
MEMORY_ENTRIES = 1024
"""Static prompts kept in memory, least recently used dropped first. A grammar set has a
few hundred; the bound only guards against a prompt text that varies without limit."""


class PromptCache:
    """Renders prompt texts once and serves them as Media Streams-ready μ-law."""

    def __init__(self, directory: Path, synth: Synthesizer, voice: str, rate: int = 165) -> None:
        self.directory = directory
        self.synth = synth
        self.voice = voice
        self.rate = rate
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self.memory_entries = MEMORY_ENTRIES
        self._memory_lock = threading.Lock()  # renders run in worker threads
        self._inflight: dict[str, asyncio.Future[bytes]] = {}

    def key(self, text: str, voice: str | None = None) -> str:
        """Content hash naming the cached file for ``text``."""
        material = "\x1f".join(
            [CACHE_VERSION, self.synth.name, voice or self.voice, str(self.rate), text]
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]

    def path(self, text: str, voice: str | None = None) -> Path:
        """Where the μ-law audio for ``text`` lives."""
        return self.directory / f"{self.key(text, voice)}.ulaw"

    def get_sync(self, text: str, voice: str | None = None) -> bytes:
        """Return μ-law audio for ``text``, rendering it if needed (blocking)."""
        key = self.key(text, voice)
        cached = self._remembered(key)
        if cached is not None:
            return cached
        path = self.path(text, voice)
        if path.exists():
            audio = path.read_bytes()
        else:
            audio = self.render(text, voice)
            # Dynamic prompts read out balances: the cache is private like the database.
            private_dir(self.directory)
            write_private(path, audio)
        self._remember(key, audio)
        return audio

    def _remembered(self, key: str) -> bytes | None:
        with self._memory_lock:
            audio = self._memory.get(key)
            if audio is not None:
                self._memory.move_to_end(key)
            return audio

    def _remember(self, key: str, audio: bytes) -> None:
        with self._memory_lock:
            self._memory[key] = audio
            self._memory.move_to_end(key)
            while len(self._memory) > self.memory_entries:
                self._memory.popitem(last=False)

    def render(self, text: str, voice: str | None = None) -> bytes:
        """Synthesize ``text`` as μ-law now, storing nothing (blocking)."""
        speech = self.synth.synthesize(text, voice or self.voice, self.rate)
        # A short lead-in keeps the first syllable from being clipped by the network.
        return silence_ulaw(60) + pcm16_to_ulaw(resample(speech.pcm, speech.rate, 8000))

    async def get(self, text: str, voice: str | None = None, *, personal: bool = False) -> bytes:
        """Async :meth:`get_sync`: renders in a worker thread, once per text at a time.
        ``personal`` text is rendered for this request only and never stored."""
        if personal:
            return await asyncio.to_thread(self.render, text, voice)
        key = self.key(text, voice)
        cached = self._remembered(key)
        if cached is not None:
            return cached
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future = self._inflight[key] = asyncio.get_running_loop().create_future()
        try:
            audio = await asyncio.to_thread(self.get_sync, text, voice)
            future.set_result(audio)
            return audio
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters get it, nobody logs "never retrieved"
            raise
        finally:
            del self._inflight[key]

    def render_all(self, texts: Iterable[str], voice: str | None = None) -> int:
        """Render every text not cached yet; returns how many were rendered now."""
        rendered = 0
        for text in dict.fromkeys(texts):
            if not self.path(text, voice).exists():
                rendered += 1
            self.get_sync(text, voice)
        return rendered
