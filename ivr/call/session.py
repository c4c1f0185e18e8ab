"""The media-stream session: one live call between Twilio and the dialog engine.

It owns everything with time or I/O in it — audio in and out, speech detection, the
recognizer, key collection, timers — and turns them into dialog events; it executes
the dialog engine's effects. Time is *stream time*: the duration of caller audio
received, 20 ms per frame. Twilio streams continuously (silence included), so timers
tick with the call and tests never sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from ivr.asr.base import SpeechEngine
from ivr.audio.codec import split_chunks, ulaw_to_pcm16
from ivr.audio.vad import FrameAnalyser, SpeechDetector, VadConfig, VadEvent
from ivr.call.hearing import Hearing, Utterance
from ivr.call.keys import Admission, KeyCollector
from ivr.call.playback import Playback
from ivr.call.ports import Backend, CallRecorder, GrammarSource, Send
from ivr.dialog import effects as fx
from ivr.dialog import events as ev
from ivr.dialog.context import DialogContext
from ivr.dialog.engine import step
from ivr.dialog.masking import mask_digits
from ivr.dialog.state import CallState, new_call_state
from ivr.recognition.decide import DecisionPolicy
from ivr.recognition.freepass import FreePass
from ivr.tts.cache import PromptCache
from ivr.twilio import stream_secret
from ivr.twilio.media import (
    Dtmf,
    Inbound,
    Mark,
    Media,
    Start,
    Stop,
    clear_message,
    mark_message,
    media_message,
)
from ivr.twilio.stream_secret import StreamClaim
from ivr.types import FRAME_MS, CallSid, StreamSid

log = logging.getLogger("ivr.call")

PREROLL_FRAMES = 15
"""Audio kept from before speech onset (300 ms), so the first syllable reaches the recognizer."""
OUTBOUND_FRAMES_PER_MESSAGE = 25
"""Prompt audio per outbound media message (500 ms). Twilio plays any whole number of
20 ms frames per message; one message per frame cost 25× the JSON, base64 and WebSocket
work for the same audio (bench/: 1882 messages per scripted call instead of ~80)."""
KEPT_OUTCOMES = frozenset({"no_match", "needs_confirmation"})
"""Turns whose audio is kept for tuning (opt-in): not understood, or understood unsurely."""
BACKEND_TIMEOUT_S = 5.0
"""A store answer slower than this is treated as a failure: the caller is apologised to and
transferred instead of waiting in silence."""


@dataclass
class CallDeps:
    """Everything a session uses, injected by the app."""

    engine: SpeechEngine
    grammars: GrammarSource
    prompts: PromptCache
    recorder: CallRecorder
    backend: Backend
    context: Callable[[], DialogContext]
    """Builds the dialog context from the *current* grammars (hot reload between turns)."""
    executor: Executor
    """Runs blocking recognizer calls off the event loop."""
    on_transfer: Callable[[str], None] | None = None
    """Told the CallSid right after a transfer is recorded (the agent desk's live feed).
    Must not block; an error in it is logged and the transfer goes ahead."""
    account_sid: str = ""
    """When set, a stream's ``start`` must carry this account SID."""
    free_pass: FreePass | None = None
    """The free-form second pass (Whisper); None: the grammar pass alone decides."""
    free_executor: Executor | None = None
    """Runs the free-form pass (its own small pool, so it cannot starve grammar decoding)."""
    decision: DecisionPolicy = field(default_factory=DecisionPolicy)
    keep_recording: Callable[[str, int, str, bytes], object] | None = None
    """Keeps the audio of a not-understood turn: (call sid, turn seq, menu, 8 kHz PCM).
    Set only when ops opted in to recordings for tuning; blocking."""
    instance: str = "local"
    """This instance's name, recorded with the call its stream serves."""


class CallSession:
    """Drives one call. Feed it parsed Media Streams messages with :meth:`on_message`."""

    def __init__(self, deps: CallDeps, send: Send, close: Callable[[], Awaitable[None]]) -> None:
        self.deps = deps
        self._send = send
        self._close = close
        self.call_sid: CallSid | None = None
        self.stream_sid: StreamSid | None = None
        self.caller = ""
        self.state: CallState | None = None
        self.finished = False
        """True once the call is over for this session (transfer, hang-up or error)."""
        self._events: asyncio.Queue[ev.Event] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stream_ms = 0
        self._vad = SpeechDetector(VadConfig())
        self._frames = FrameAnalyser()
        self._preroll: deque[bytes] = deque(maxlen=PREROLL_FRAMES)
        self._listen: fx.Listen | None = None
        self._utterance: Utterance | None = None
        self._hearing = Hearing(
            engine=deps.engine,
            executor=deps.executor,
            track=self._track,
            free_pass=deps.free_pass,
            free_executor=deps.free_executor,
            decision=deps.decision,
        )
        self._playback = Playback()
        self._no_input_at: int | None = None
        self._keys = KeyCollector()
        self._last_menu: str | None = None
        self._heard_audio: tuple[str, bytes] | None = None
        """(menu, audio) of the utterance just handed to the dialog, until its turn is
        recorded: kept then if it was not understood (opt-in)."""

    # ------------------------------------------------------------------ inbound

    async def on_message(self, msg: Inbound) -> None:
        """Handle one message from Twilio (the reader loop calls this in order)."""
        if isinstance(msg, Start):
            await self._on_start(msg)
            return
        if isinstance(msg, Media | Dtmf | Mark):
            if self.stream_sid is None:
                raise SessionError(f"{type(msg).__name__.lower()} before start")
            if msg.stream_sid != self.stream_sid:
                raise SessionError(f"{type(msg).__name__.lower()} for another streamSid")
        if isinstance(msg, Media):
            await self._on_media(msg)
        elif isinstance(msg, Dtmf):
            await self._on_dtmf(msg.digit.value, wall_ms=int(time.monotonic() * 1000))
        elif isinstance(msg, Mark):
            self._on_mark(msg.name)
        elif isinstance(msg, Stop):
            await self._on_stop()

    async def _on_start(self, start: Start) -> None:
        if self.stream_sid is not None:
            raise SessionError("second start on one stream")
        if self.deps.account_sid and start.account_sid != self.deps.account_sid:
            raise SessionError("start.accountSid is not this server's Twilio account")
        # The stream must belong to a call whose signed webhook this server answered; the
        # caller ID comes from that record, not from the stream's own parameters.
        record = await self._blocking(self.deps.recorder.get_call, start.call_sid)
        if record is None:
            raise SessionError("stream for a call this server never answered")
        if record.get("status") != "in-progress":
            raise SessionError(f"stream for a call that is already {record.get('status')}")
        # Only the stream our TwiML started for this call knows its secret, and only the
        # first such stream gets the call: a second socket hears nothing and keys nothing.
        secret = start.custom_parameters.get(stream_secret.PARAMETER, "")
        claim = await self._blocking(
            self.deps.recorder.claim_stream, start.call_sid, start.stream_sid, secret
        )
        if claim is not StreamClaim.CLAIMED:
            raise SessionError(f"stream refused: {claim.value}")
        self.stream_sid = start.stream_sid
        self.call_sid = start.call_sid
        self._hearing.call_sid = start.call_sid
        self.caller = str(record.get("from") or "")
        called = str(record.get("to") or "")
        log.info("call %s: stream %s started", self.call_sid, self.stream_sid)
        await self._blocking(
            self.deps.recorder.set_call_server,
            self.call_sid,
            self.deps.engine.name,
            self.deps.instance,
        )
        self.state = new_call_state(self.call_sid)
        self._pump = asyncio.create_task(self._run_dialog(), name=f"dialog-{self.call_sid}")
        await self._events.put(
            ev.CallStarted(call_sid=self.call_sid, caller=self.caller, called=called)
        )

    async def _on_media(self, media: Media) -> None:
        self._stream_ms += max(FRAME_MS, len(media.payload) // 8)
        pcm = ulaw_to_pcm16(media.payload)
        samples, level = self._frames.level(pcm)
        listen = self._listen
        if listen is None:
            # The line's noise is learnt all call long, so a noisy line is known before
            # the caller answers.
            self._vad.observe(level)
            self._frames.advance(samples)
            return
        self._preroll.append(pcm)
        periodic = level >= self._vad.threshold() and self._frames.periodic(samples)
        self._frames.advance(samples)
        vad = self._vad.feed(level, periodic)
        utt = self._utterance
        if vad is VadEvent.ONSET:
            self._begin_utterance()
        elif utt is not None:
            self._hearing.feed(utt, pcm)
            self._hearing.speculate(utt, self._vad.silent_run)
        if vad is VadEvent.CONFIRMED and self._utterance is not None:
            self._utterance.confirmed = True
            self._no_input_at = None
            await self._barge_in()
        elif vad is VadEvent.DISCARD:
            self._drop_utterance()
        elif vad is VadEvent.END:
            silence = self._vad.config.end_silence_frames * FRAME_MS
            await self._end_utterance(listen, noise=self._vad.hit_limit, silence_ms=silence)
            return
        elif self._utterance is not None and self._hearing.complete_so_far(
            self._utterance, listen.digits, self._vad.silent_run
        ):
            # Early end of speech: what the caller said is already a whole phrase of the
            # menu and they have paused, so answer now instead of waiting out the full
            # end-of-speech silence.
            silence = self._vad.silent_run * FRAME_MS
            self._vad.reset()
            await self._end_utterance(listen, silence_ms=silence, early=True)
            return
        await self._check_timers(listen)

    async def _check_timers(self, listen: fx.Listen) -> None:
        now = self._stream_ms
        keyed = self._keys.due(now)
        if keyed is not None:
            await self._submit_keys(keyed)
            return
        if (
            self._no_input_at is not None
            and now >= self._no_input_at
            and self._utterance is None
            and not self._keys.collecting
        ):
            self._stop_listening()
            await self._events.put(ev.NoInput())

    async def _on_dtmf(self, digit: str, wall_ms: int) -> None:
        # No keypad sends more than a few keys a second: extra keys are ignored, not
        # obeyed, and a sustained flood ends the stream (the caller reaches a person).
        was_dropping = self._keys.dropping
        admission = self._keys.admit(self._stream_ms, wall_ms)
        if admission is Admission.FLOOD:
            raise SessionError("keypad flood")
        if admission is Admission.DROP:
            if not was_dropping:
                log.warning("call %s: DTMF flood, ignoring keys", self.call_sid)
            return
        if self._keys.late_terminator(digit, self._stream_ms):
            return
        await self._on_key(digit)

    async def _on_key(self, digit: str) -> None:
        listen = self._listen
        if listen is None:
            # Between turns (the engine is acting on the last input): keep the keys as
            # type-ahead for the next prompt, as callers who know the menu expect.
            self._keys.hold(digit)
            return
        await self._barge_in()
        # DTMF tones leak into the audio; whatever was being captured is not speech.
        self._drop_utterance()
        self._vad.reset()
        self._no_input_at = None
        keyed = self._keys.press(digit, self._stream_ms)
        if keyed is not None:
            await self._submit_keys(keyed)

    def _on_mark(self, name: str) -> None:
        if not self._playback.returned(name):
            return  # more is playing (or the mark was not one we are waiting for)
        if self._listen is not None and self._no_input_at is None and self._utterance is None:
            self._no_input_at = self._stream_ms + self._listen.no_input_ms
        self._events.put_nowait(ev.PromptFinished(prompt_id=name))

    async def _on_stop(self) -> None:
        if self.finished:
            return  # we ended the stream ourselves (transfer or hang-up)
        log.info("call %s: caller hung up", self.call_sid)
        self._stop_listening()
        await self._events.put(ev.CallerHungUp())
        await self._drain_dialog()
        # Twilio closes the socket after a stop: nothing for us to close.
        await self._finish("caller_hung_up", status="abandoned", close=False)

    # ------------------------------------------------------------------ listening

    def _begin_utterance(self) -> None:
        listen = self._listen
        if listen is None:
            return
        menu = self.deps.grammars.compiled()[listen.menu_id]
        self._utterance = self._hearing.open(menu, list(self._preroll))

    def _drop_utterance(self) -> None:
        utt, self._utterance = self._utterance, None
        if utt is not None and utt.task is not None:
            utt.queue.put_nowait(None)  # let the recognizer finish; its result is ignored
            self._track(utt.task)
        # A discarded noise burst must not cancel the no-input timer for good.
        listening = utt is not None and self._listen is not None
        if listening and self._no_input_at is None and not self._playback.playing:
            assert self._listen is not None
            self._no_input_at = self._stream_ms + self._listen.no_input_ms

    async def _end_utterance(
        self, listen: fx.Listen, *, noise: bool = False, silence_ms: int = 0, early: bool = False
    ) -> None:
        utt = self._utterance
        self._utterance = None
        if utt is None or utt.task is None:
            return
        log.info(
            "call %s: end of speech on %s after %d ms of silence (%s)",
            self.call_sid,
            listen.menu_id,
            silence_ms,
            "said something whole" if early else "full pause" if not noise else "too long",
        )
        self._hearing.close(utt)
        self._stop_listening()
        task = utt.task

        async def deliver() -> None:
            try:
                transcript = await task
                if noise:
                    log.info("call %s: unbroken sound up to the limit: noise", self.call_sid)
                    heard = ev.Heard(text="", confidence=0.0)
                else:
                    decision = await self._hearing.understand(utt, transcript)
                    heard = ev.Heard(decision.text, decision.confidence, decision.meaning)
                    if utt.menu.menu.digits is None:  # never a PIN or an account number
                        self._heard_audio = (utt.menu.menu.id, bytes(utt.audio))
                    log.info("call %s: heard on %s (conf %.2f, %s)", self.call_sid,
                             listen.menu_id, decision.confidence, decision.reason)  # fmt: skip
            except Exception:
                # Not the caller's fault, so not a no-match: a person takes over.
                log.exception("call %s: recognizer failed", self.call_sid)
                await self._fail("recognizer_error")
                return
            await self._events.put(heard)

        self._track(asyncio.create_task(deliver()))

    async def _submit_keys(self, digits: str) -> None:
        self._stop_listening()
        await self._events.put(ev.KeysEntered(digits=digits))

    def _stop_listening(self) -> None:
        self._listen = None
        self._no_input_at = None
        self._keys.stop()
        if self._utterance is not None:
            self._drop_utterance()
        self._vad.reset()

    def _start_listening(self, listen: fx.Listen) -> None:
        if listen.menu_id not in self.deps.grammars.compiled():
            raise SessionError(f"dialog asked to listen with unknown menu {listen.menu_id!r}")
        self._listen = listen
        self._last_menu = listen.menu_id
        self._vad.reset()
        self._vad.set_end_silence_ms(listen.end_silence_ms)
        self._keys.listen(listen.digits)
        playing = self._playback.playing
        self._no_input_at = None if playing else self._stream_ms + listen.no_input_ms

    # ------------------------------------------------------------------ outbound

    async def _barge_in(self) -> None:
        if self._playback.playing and self.stream_sid is not None:
            log.info("call %s: barge-in, clearing prompt audio", self.call_sid)
            await self._send(clear_message(self.stream_sid))

    async def _play(self, play: fx.Play) -> None:
        assert self.stream_sid is not None
        audio = await self.deps.prompts.get(play.text, personal=play.personal)
        name = self._playback.next_mark(play.prompt_id)
        # What the caller was told is part of the call record (agents and the simulator
        # read it); written before the audio goes out, like every turn.
        recorded = play.text if play.recorded is None else play.recorded
        await self._blocking(self.deps.recorder.record_prompt, self.call_sid, name, recorded)
        for chunk in split_chunks(audio, OUTBOUND_FRAMES_PER_MESSAGE):
            await self._send(media_message(self.stream_sid, chunk))
        self._playback.sent(name)  # playing from now: its audio is on its way
        await self._send(mark_message(self.stream_sid, name))

    # ------------------------------------------------------------------ dialog

    async def _run_dialog(self) -> None:
        while True:
            event = await self._events.get()
            try:
                await self._step(event)
            except Exception:
                log.exception("call %s: dialog step failed", self.call_sid)
                await self._fail("internal_error")
            finally:
                self._events.task_done()
            if self.finished:
                return

    async def _drain_dialog(self) -> None:
        if self._pump is not None and not self._pump.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._events.join(), timeout=10)

    async def _step(self, event: ev.Event) -> None:
        if self.state is None or self.finished:
            return
        try:
            self.state, effects = step(self.deps.context(), self.state, event)
        except Exception:
            # The engine could not handle what the caller said (e.g. an edited grammar
            # lacks a menu it needs). The input was heard: record it before giving up.
            await self._record_unhandled(event)
            raise
        for effect in effects:
            await self._execute(effect)
            if self.finished:
                return

    async def _record_unhandled(self, event: ev.Event) -> None:
        if self.call_sid is None or not isinstance(event, ev.Heard | ev.KeysEntered):
            return
        if isinstance(event, ev.Heard):
            kind, text, confidence = "speech", event.text, event.confidence
        else:
            kind, text, confidence = "keys", event.digits, None
        masked = mask_digits(text)  # may be a PIN or an account number
        menu = self._last_menu or "unknown"
        with contextlib.suppress(Exception):
            await self._blocking(
                self.deps.recorder.record_turn,
                self.call_sid,
                menu,
                kind,
                masked,
                None,
                confidence,
                "error",
            )

    async def _execute(self, effect: fx.Effect) -> None:
        assert self.call_sid is not None
        if isinstance(effect, fx.RecordTurn):
            turn = effect.turn
            seq = await self._blocking(
                self.deps.recorder.record_turn,
                self.call_sid,
                turn.menu,
                turn.input,
                turn.transcript,
                turn.intent,
                turn.confidence,
                turn.outcome,
            )
            await self._keep_recording(turn, seq)
        elif isinstance(effect, fx.Play):
            await self._play(effect)
        elif isinstance(effect, fx.Listen):
            self._start_listening(effect)
            # Type-ahead keys were admitted when they arrived; they are not counted again.
            for key in self._keys.take_typeahead():
                if self._listen is None:
                    self._keys.hold(key)  # the first keys completed this turn
                else:
                    await self._on_key(key)
        elif isinstance(effect, fx.Request):
            self._track(asyncio.create_task(self._request(effect)))
        elif isinstance(effect, fx.Transfer):
            summary = dataclasses.asdict(effect.summary)
            await self._blocking(
                self.deps.recorder.record_transfer,
                self.call_sid,
                effect.reason,
                effect.urgent,
                summary,
            )
            self._announce_transfer()
            await self._finish(effect.reason, after_playback=True)
        elif isinstance(effect, fx.HangUp):
            await self._finish(effect.reason, status="completed", after_playback=True)

    async def _keep_recording(self, turn: fx.TurnRecord, seq: int) -> None:
        heard, self._heard_audio = self._heard_audio, None
        keep = self.deps.keep_recording
        if keep is None or heard is None or turn.input != "speech" or self.call_sid is None:
            return
        menu, audio = heard
        if turn.menu != menu or turn.outcome not in KEPT_OUTCOMES:
            return
        try:
            await self._blocking(keep, self.call_sid, seq, menu, audio)
        except Exception:
            # A tuning aid: failing to keep a recording must not disturb the call.
            log.exception("call %s: could not keep a recording", self.call_sid)

    def _announce_transfer(self) -> None:
        hook = self.deps.on_transfer
        if hook is None or self.call_sid is None:
            return
        try:
            hook(self.call_sid)
        except Exception:
            # The desk is a convenience; the caller's transfer must happen regardless.
            log.exception("call %s: transfer listener failed", self.call_sid)

    async def _request(self, effect: fx.Request) -> None:
        try:
            result = await asyncio.wait_for(
                self._blocking(
                    self.deps.backend.handle, self.call_sid or "", self.caller, effect.request
                ),
                timeout=BACKEND_TIMEOUT_S,
            )
        except Exception as exc:
            log.warning("call %s: backend request failed: %s", self.call_sid, type(exc).__name__)
            await self._events.put(
                ev.BackendFailed(request_id=effect.request_id, error=type(exc).__name__)
            )
            return
        await self._events.put(ev.BackendAnswered(request_id=effect.request_id, result=result))

    async def _finish(
        self,
        reason: str,
        *,
        status: str | None = None,
        after_playback: bool = False,
        close: bool = True,
    ) -> None:
        """The one way a call ends in this session, whoever ends it.

        ``after_playback`` lets the last prompt play out first (a goodbye, or "I'll put you
        through"); ``status`` is recorded as the call's final status (a transfer records
        its own); ``close`` closes the stream, after which Twilio runs the ``<Connect
        action>`` — dialling the agent, hanging up, or (``/twilio/stream-ended`` seeing no
        decision) apologising and transferring: never dead air.
        """
        if self.finished:
            return
        self._stop_listening()
        if after_playback:
            await self._playback.finished()
        if status is not None and self.call_sid is not None:
            await self._blocking(self.deps.recorder.end_call, self.call_sid, status)
        self.finished = True
        if not close:
            return
        log.info("call %s: stream closing (%s)", self.call_sid, reason)
        try:
            await self._close()
        except Exception:
            log.exception("call %s: closing the stream failed", self.call_sid)

    async def _fail(self, reason: str) -> None:
        """Something broke on our side: end the call now (see :meth:`_finish`)."""
        await self._finish(reason)

    async def abort(self, reason: str) -> None:
        """End the call after a protocol error (the reader loop calls this)."""
        log.warning("call %s: ending stream: %s", self.call_sid, reason)
        await self._fail(reason)

    async def aclose(self) -> None:
        """Cancel every task this session started. Safe to call more than once."""
        if self._pump is not None:
            self._pump.cancel()
        for task in list(self._tasks):
            task.cancel()
        tasks = [t for t in [self._pump, *self._tasks] if t is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    # ------------------------------------------------------------------ helpers

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _blocking(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


class SessionError(Exception):
    """The stream broke the protocol in a way this call cannot continue from."""
