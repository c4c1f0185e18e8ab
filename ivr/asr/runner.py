"""Running the blocking recognizer calls off the asyncio event loop.

Decoding 100 ms of audio takes a few ms of CPU, which is too long to do on the event loop
that also shuttles every call's media frames. ``AsyncRecognizer`` runs each call of one
session on a shared thread pool, strictly in order, and keeps the latest partial result so
reading it never touches the (non-thread-safe) decoder from the loop thread.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from ivr.asr.base import RecognizerGrammar, RecognizerSession, SpeechEngine, Transcript

_T = TypeVar("_T")
_P = ParamSpec("_P")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def default_executor() -> ThreadPoolExecutor:
    """The process-wide decoding pool: one thread per core (decoding is CPU bound and the
    native decoders release the GIL), created on first use."""
    global _executor
    with _executor_lock:
        if _executor is None:
            workers = max(2, os.cpu_count() or 2)
            _executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="asr")
        return _executor


class AsyncRecognizer:
    """An awaitable façade over one ``RecognizerSession``.

    Calls are serialised twice: an ``asyncio.Lock`` (FIFO) keeps them in the order they
    were awaited, and a thread lock makes sure that a cancelled ``await`` whose work is
    still running in the pool cannot overlap the next call on the same decoder.
    """

    def __init__(
        self, session: RecognizerSession, executor: ThreadPoolExecutor | None = None
    ) -> None:
        self._session = session
        self._executor = executor or default_executor()
        self._order = asyncio.Lock()
        self._exclusive = threading.Lock()
        self._partial = ""

    @classmethod
    async def open(
        cls,
        engine: SpeechEngine,
        grammar: RecognizerGrammar,
        executor: ThreadPoolExecutor | None = None,
    ) -> AsyncRecognizer:
        """Open a session in the pool too: it may load a decoder or compile a grammar."""
        pool = executor or default_executor()
        loop = asyncio.get_running_loop()
        session = await loop.run_in_executor(pool, engine.open, grammar)
        return cls(session, pool)

    async def accept(self, pcm16: bytes) -> None:
        """Decode one chunk of 8 kHz PCM in the pool; returns when it has been consumed."""
        await self._run(self._accept_blocking, pcm16)

    def partial(self) -> str:
        """The partial result as of the last completed ``accept``; never blocks."""
        return self._partial

    async def finish(self) -> Transcript:
        """The final transcript; the session is spent afterwards."""
        return await self._run(self._session.finish)

    def _accept_blocking(self, pcm16: bytes) -> None:
        self._session.accept(pcm16)
        self._partial = self._session.partial()

    async def _run(self, func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        def exclusive() -> _T:
            with self._exclusive:
                return func(*args, **kwargs)

        async with self._order:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, exclusive)
