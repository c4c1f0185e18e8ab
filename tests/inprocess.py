"""Whole calls through :class:`CallSession` in-process: the fast test layer.

The real-protocol tests (``tests/call/test_calls_*.py``) put a call through uvicorn, a
WebSocket, speech synthesis and a real recognizer, in (accelerated) real time. This layer
keeps everything of a call that is ours — the session's speech detector, key collector,
timers, barge-in and playback tracking, the real grammars, dialog engine, decision rule and
a real SQLite store — and replaces only what costs time:

* **Twilio** is an in-process line (:class:`FakeTwilio`) that plays outbound audio in
  stream time, echoes marks when their audio has played and honours ``clear``, as the
  Media Streams protocol does (``../shared/reference/twilio.md``).
* **The recognizer** is scripted: each utterance the session opens is heard as the next
  sentence the test said, with the confidence the test gave (the real engines are tested
  on real speech elsewhere).
* **The caller's voice** is a synthetic vowel (harmonics of 140 Hz), loud and periodic
  enough for the real speech detector, and **prompts** are silence as long as the text.
* **Threads** are replaced by an executor that runs work inline, so a call is a
  deterministic sequence of frames and runs in milliseconds.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ivr.app.services import Services, build_services
from ivr.asr.base import RecognizerGrammar, Transcript
from ivr.audio.codec import pcm16_to_ulaw, silence_ulaw
from ivr.call.session import CallSession
from ivr.settings import load_settings
from ivr.sim.caller import Earpiece, new_call_sid
from ivr.store.seed import seed_demo
from ivr.store.views import CallRecord
from ivr.tts.synth import Speech
from ivr.twilio import stream_secret
from ivr.twilio.media import Dtmf, Mark, Media, Start, Stop
from ivr.types import FRAME_BYTES, FRAME_MS, CallSid, DtmfKey, StreamSid
from tests.conftest import API_TOKEN, AUTH_TOKEN, PIN_KEY, ROOT

T = TypeVar("T")
HOTLINE = "+18005550100"
MAX_CALL_MS = 180_000
"""No scripted call lasts longer (stream time): a call that does is stuck."""


class InlineExecutor(ThreadPoolExecutor):
    """Runs each job at once on the calling thread (a subclass only because asyncio's
    default executor must be a ThreadPoolExecutor)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the session sees the job's own failure
            future.set_exception(exc)
        return future


class ScriptedEngine:
    """A :class:`~ivr.asr.base.SpeechEngine` that hears what the test says it heard."""

    name = "scripted"

    def __init__(self) -> None:
        self.script: deque[Transcript] = deque()
        self.opened: list[RecognizerGrammar] = []

    def open(self, grammar: RecognizerGrammar) -> _ScriptedUtterance:
        self.opened.append(grammar)
        heard = self.script.popleft() if self.script else Transcript("", 0.0)
        return _ScriptedUtterance(heard)

    def missing_words(self, words: Iterable[str]) -> list[str]:
        return []


@dataclass
class _ScriptedUtterance:
    heard: Transcript
    fed: int = 0

    def accept(self, pcm16: bytes) -> None:
        self.fed += len(pcm16)

    def partial(self) -> str:
        # Like a real decoder, the words appear once some audio has been heard (400 ms).
        return self.heard.text if self.fed >= 6400 else ""

    def finish(self) -> Transcript:
        return replace(self.heard, engine="scripted")


class SilentSynth:
    """Prompts as silence, 60 ms per character (about the pace of speech)."""

    name = "silent"

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        samples = max(8, 480 * len(text))
        return Speech(pcm=bytes(2 * samples), rate=8000)


def vowel(ms: int) -> bytes:
    """A sustained vowel-like sound, μ-law: loud and periodic, as voiced speech is."""
    t = np.arange(8 * ms) / 8000.0
    wave = sum(np.sin(2 * math.pi * 140 * k * t) / k for k in range(1, 12))
    pcm = (wave / np.max(np.abs(wave)) * 9000).astype("<i2")
    return pcm16_to_ulaw(pcm.tobytes())


@dataclass
class FakeTwilio:
    """Twilio's side of the stream: outbound audio played 20 ms per inbound frame, by the
    simulator's own :class:`~ivr.sim.caller.Earpiece` (marks at their positions)."""

    ear: Earpiece = field(default_factory=Earpiece)
    due: list[str] = field(default_factory=list)
    """Marks to send back before the next frame (their audio has played or was cleared)."""
    sent: list[dict[str, Any]] = field(default_factory=list)
    cleared: int = 0
    played: list[str] = field(default_factory=list)
    """Marks whose audio was played to the end."""
    cut: list[str] = field(default_factory=list)
    """Marks whose audio was cleared (barge-in) before it had all played."""

    def receive(self, text: str) -> None:
        """Take one message from the session."""
        message = json.loads(text)
        self.sent.append(message)
        event = message["event"]
        if event == "media":
            self.ear.push_audio(base64.b64decode(message["media"]["payload"]))
        elif event == "mark":
            self.ear.push_mark(message["mark"]["name"])
        elif event == "clear":
            # Twilio empties its buffer and sends back every mark that was waiting.
            self.cleared += 1
            marks = self.ear.clear()
            self.due += marks
            self.cut += marks

    @property
    def playing(self) -> bool:
        """Audio, or a mark not yet sent back, is waiting."""
        return self.ear.busy

    def tick(self) -> list[str]:
        """Play one frame; the marks due now (cleared, or whose audio has all played)."""
        reached = [name for name, _ in self.ear.tick()]
        self.played += reached
        due, self.due = [*self.due, *reached], []
        return due


async def settle() -> None:
    """Let every task the last message woke run until none is ready.

    With :class:`InlineExecutor` nothing runs on another thread, so once the event loop's
    ready queue is empty the session has done all the work that frame caused. (Reads
    asyncio's private ready queue: a test helper may.)
    """
    loop = asyncio.get_running_loop()
    for _ in range(10_000):
        await asyncio.sleep(0)
        if not getattr(loop, "_ready"):  # noqa: B009  (private, hence getattr)
            return
    raise AssertionError("the session never went idle")


class FastCall:
    """One caller on one in-process stream, driven frame by frame in stream time."""

    def __init__(self, services: Services, engine: ScriptedEngine, caller: str) -> None:
        self.engine = engine
        self.store = services.store
        self.call_sid = CallSid(new_call_sid())
        self.stream_sid = StreamSid("MZ" + self.call_sid[2:])
        self.caller = caller
        self.twilio = FakeTwilio()
        self.closed = False
        self.stream_ms = 0
        self._chunk = 0
        deps = replace(services.call_deps(), executor=InlineExecutor(), free_executor=None)
        self.session = CallSession(deps, self._from_session, self._close)
        self._secret = stream_secret.new_secret()
        self.store.start_call(
            self.call_sid,
            caller,
            HOTLINE,
            stream_secret_hash=stream_secret.secret_hash(self._secret),
        )

    async def _from_session(self, text: str) -> None:
        self.twilio.receive(text)

    async def _close(self) -> None:
        self.closed = True

    async def start(self) -> None:
        parameters = {stream_secret.PARAMETER: self._secret}
        await self.session.on_message(
            Start(self.stream_sid, self.call_sid, "", ("inbound",), parameters)
        )
        await settle()

    async def frame(self, payload: bytes = b"") -> None:
        """One 20 ms inbound frame (silence unless ``payload``), after Twilio played 20 ms."""
        for mark in self.twilio.tick():
            await self.session.on_message(Mark(self.stream_sid, mark))
        self._chunk += 1
        audio = payload or silence_ulaw(FRAME_MS)
        self.stream_ms += FRAME_MS
        await self.session.on_message(
            Media(self.stream_sid, audio, self.stream_ms, self._chunk, "inbound")
        )
        await settle()
        if self.stream_ms > MAX_CALL_MS:
            raise AssertionError(f"call still going after {MAX_CALL_MS} ms of stream time")

    async def silence(self, ms: int) -> None:
        for _ in range(ms // FRAME_MS):
            if self.closed:
                return
            await self.frame()

    async def until_quiet(self) -> None:
        """Wait (in stream time) until the prompts have played, then 200 ms more."""
        while self.twilio.playing and not self.closed:
            await self.frame()
        await self.silence(200)

    async def say(self, text: str, confidence: float = 0.9, *, barge: bool = False) -> None:
        """Speak: the recognizer will hear ``text``; the audio lasts ~300 ms a word."""
        if not barge:
            await self.until_quiet()
        self.engine.script.append(Transcript(text, confidence))
        audio = vowel(max(600, 300 * len(text.split())))
        for i in range(0, len(audio), FRAME_BYTES):
            await self.frame(audio[i : i + FRAME_BYTES])
        await self.until_answered()

    async def press(self, keys: str, *, barge: bool = False) -> None:
        """Press keys, 100 ms apart."""
        if not barge:
            await self.until_quiet()
        for key in keys:
            await self.session.on_message(Dtmf(self.stream_sid, DtmfKey(key)))
            await settle()
            await self.silence(100)
        if not barge:
            await self.until_answered()

    async def until_answered(self, limit_ms: int = 15_000) -> None:
        """Silence until the hotline answers (plays something or ends the stream), as a
        caller waits after speaking; at most ``limit_ms``."""
        for _ in range(limit_ms // FRAME_MS):
            if self.twilio.playing or self.closed:
                return
            await self.frame()

    async def hang_up(self) -> None:
        await self.session.on_message(Stop(self.stream_sid, self.call_sid))
        await settle()
        self.closed = True

    async def until_closed(self) -> None:
        """Silence until the session ends the stream (transfer or goodbye)."""
        while not self.closed:
            await self.frame()

    async def finish(self) -> CallRecord:
        """End the scripted part: wait for the session to close, release it, and return
        the call's record."""
        await self.until_closed()
        await self.session.aclose()
        record = self.store.get_call(self.call_sid)
        assert record is not None, "the call left no record"
        return record


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run a scenario on a fresh event loop whose blocking work runs inline."""

    async def main() -> T:
        asyncio.get_running_loop().set_default_executor(InlineExecutor())
        return await scenario()

    return asyncio.run(main())


def said(record: CallRecord) -> str:
    """Every prompt the caller was sent, in order, as one text."""
    return " ".join(prompt["text"] for prompt in record["prompts"])


def heard(record: CallRecord, call: FastCall) -> str:
    """The prompts the caller heard to the end (not cut off by a barge-in), as one text."""
    played = set(call.twilio.played)
    return " ".join(p["text"] for p in record["prompts"] if p["mark"] in played)


@dataclass
class Hotline:
    """The shipped English hotline in-process: real grammars, dialog and store."""

    services: Services
    engine: ScriptedEngine

    def caller(self, number: str) -> FastCall:
        return FastCall(self.services, self.engine, number)


def build_hotline(tmp: Path, audio_dir: Path, seeded_db: Path, **overrides: object) -> Hotline:
    """Services over a copy of the seeded demo database, with the scripted recognizer."""
    db = tmp / "ivr.db"
    db.write_bytes(seeded_db.read_bytes())
    values: dict[str, object] = {
        "twilio_auth_token": AUTH_TOKEN,
        "api_token": API_TOKEN,
        "pin_key": PIN_KEY,
        "database_url": f"sqlite:///{db}",
        "grammar_dir": ROOT / "grammars" / "en",
        "audio_dir": audio_dir,
    }
    values.update(overrides)
    engine = ScriptedEngine()
    services = build_services(
        load_settings(**values), engine=engine, synth=SilentSynth(), free_pass=None
    )
    return Hotline(services, engine)


def seed_database(path: Path) -> Path:
    """A demo database file (PIN hashing is slow on purpose: done once per session)."""
    from ivr.store.repo import Store
    from ivr.store.schema import create_schema
    from tests.conftest import TEST_PINS

    store = Store.from_url(f"sqlite:///{path}", pins=TEST_PINS)
    create_schema(store.engine)
    seed_demo(store)
    store.engine.dispose()
    return path
