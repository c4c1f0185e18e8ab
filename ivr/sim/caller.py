"""A call simulator that stands in for Twilio and a caller.

It signs the voice webhook, follows the TwiML, opens the media stream with a signed
upgrade, sends ``connected``/``start`` and then 20 ms μ-law frames paced against an
absolute clock (silence between utterances, as Twilio does), plays the server's audio
into a virtual earpiece in real time, answers marks when their audio has "played",
flushes them on ``clear``, and after the stream ends requests the ``<Connect action>``
— then plays the agent leg (whisper) and the dial outcome.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
import wave
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
import numpy as np
import websockets

from ivr.audio.channel import telephone_channel
from ivr.audio.codec import pcm16_to_ulaw, split_frames
from ivr.tts.synth import Synthesizer
from ivr.tts.voices import synthesizer_for
from ivr.twilio.signature import sign
from ivr.types import FRAME_BYTES, FRAME_MS

SILENCE_FRAME = b"\xff" * FRAME_BYTES


def _line(noise_rms: float | None) -> Callable[[], bytes]:
    """The frames a quiet caller's line sends: digital silence, or steady white noise."""
    if noise_rms is None:
        return lambda: SILENCE_FRAME
    rng = np.random.default_rng(7)
    loop = rng.normal(0.0, noise_rms, 8000 * 2)  # two seconds, cycled
    ulaw = pcm16_to_ulaw(np.clip(loop, -32768, 32767).astype("<i2").tobytes())
    frames = [ulaw[i : i + FRAME_BYTES] for i in range(0, len(ulaw), FRAME_BYTES)]
    index = -1

    def next_frame() -> bytes:
        nonlocal index
        index = (index + 1) % len(frames)
        return frames[index]

    return next_frame


BARGE_AFTER_MS = 1200
ACCOUNT_SID = "AC" + "0" * 32
"""The simulator's account when none is configured (``SimConfig.account_sid``)."""


@dataclass(frozen=True)
class Step:
    """One thing the caller does, in order: speak, play a file, press keys, or wait."""

    kind: Literal["say", "wav", "dtmf", "wait", "noise", "hangup"]
    value: str = ""
    barge_in: bool = False
    """Act while a prompt is still playing (after ``BARGE_AFTER_MS`` of it) instead of
    waiting for the server to finish and fall silent."""


@dataclass
class HeardPrompt:
    """A prompt the server played, identified by the mark that followed it."""

    mark: str
    duration_ms: int
    interrupted: bool = False


@dataclass
class CallResult:
    """Everything that happened on the simulated call."""

    call_sid: str
    log: list[str] = field(default_factory=list)
    """The conversation as printed: prompts, caller actions, outcome."""
    prompts: list[HeardPrompt] = field(default_factory=list)
    actions: list[Step] = field(default_factory=list)
    voice_twiml: str = ""
    after_stream_twiml: str = ""
    whisper_twiml: str = ""
    dial_outcome_twiml: str = ""
    choice_twiml: str = ""
    """What the server answered to the caller's choice after no agent answered."""
    record: dict[str, Any] | None = None
    """The server's call record (``GET /api/calls/{sid}``) when an API token was given."""
    closed_by: str = ""
    """``server`` when the server ended the stream, ``caller`` when we hung up."""
    clears: int = 0
    """How many times the server cleared queued audio (barge-in)."""
    first_audio_ms: float | None = None
    """Wall time from the webhook to the first audio frame from the server."""
    timing: CallTiming | None = None
    """Wire timestamps, when ``SimConfig.record_timing`` asked for them (benchmarks)."""


@dataclass
class CallTiming:
    """When things crossed the wire, in ``time.monotonic()`` seconds (client side).

    Benchmarks derive turn latency (last voiced caller frame sent → first answer frame
    received) and playback underruns (server audio arriving later than it plays) from it.
    """

    webhook_at: float = 0.0
    """Just before the voice webhook was sent."""
    audio_in: list[tuple[float, int]] = field(default_factory=list)
    """Each media message from the server: arrival time and payload bytes."""
    marks_in: list[tuple[float, str]] = field(default_factory=list)
    """Each mark from the server: arrival time and name."""
    step_frames: dict[int, list[float]] = field(default_factory=dict)
    """For each ``say``/``wav``/``noise`` step (by index): the send time of each of its frames."""
    dtmf_out: list[tuple[float, str]] = field(default_factory=list)
    """Each key sent: send time and key."""


@dataclass
class SimConfig:
    """Where the server is and how to talk to it."""

    base_url: str
    """Where to send requests (e.g. ``http://127.0.0.1:8080``)."""
    public_url: str
    """The server's ``IVR_PUBLIC_URL``: what Twilio would sign."""
    auth_token: str
    api_token: str | None = None
    account_sid: str = ACCOUNT_SID
    """The Twilio account the call belongs to: a server with ``IVR_TWILIO_ACCOUNT_SID``
    refuses streams of any other account."""
    caller: str = "+14155550100"
    called: str = "+15005550006"
    voice: str = "gmw/en-us"
    """The caller's voice: an espeak-ng voice, or ``engine:voice`` (see ivr.tts.voices)."""
    rate: int = 150
    snr_db: float | None = None
    """Line noise under the caller's speech (white, at this SNR); None: a faint hiss."""
    line_noise_rms: float | None = None
    """Noise on the line while the caller is not speaking (white, this RMS of 16-bit PCM);
    None: digital silence. A noisy line is noisy between utterances too."""
    speed: float = 1.0
    """Pacing factor: 1.0 is real time (as Twilio). Tests may run faster."""
    agent_answers: str = "completed"
    """DialCallStatus the simulated agent line produces (``no-answer``, ``busy`` …)."""
    unavailable_choice: str = "2"
    """Key pressed when offered voicemail (1) or callback (2) after no agent answered;
    empty: the caller presses nothing, and Twilio follows the ``<Redirect>`` after the
    ``<Gather>``."""
    idle_ms: int = 700
    """Silence from the server after which the caller takes the next step."""
    timeout_s: float = 120.0
    record_timing: bool = False
    """Fill ``CallResult.timing`` with wire timestamps (costs a list append per frame)."""
    ws_compression: bool = True
    """Offer permessage-deflate on the media socket (the websockets default). Benchmarks
    turn it off: it costs both ends zlib work on every 20 ms frame."""


def new_call_sid() -> str:
    """A fresh ``CA…`` id (34 characters)."""
    return "CA" + f"{time.time_ns():032x}"[-32:]


class Earpiece:
    """Server audio queued for playback, with marks at their positions."""

    def __init__(self) -> None:
        self.frames: deque[bytes | str] = deque()
        self.current_ms = 0
        self.last_audio_at = 0.0
        self.audio_since_action = False

    def push_audio(self, ulaw: bytes) -> None:
        for i in range(0, len(ulaw), FRAME_BYTES):
            self.frames.append(ulaw[i : i + FRAME_BYTES])
        self.audio_since_action = True

    def push_mark(self, name: str) -> None:
        self.frames.append(name)

    def tick(self) -> list[tuple[str, int]]:
        """Play 20 ms; return marks reached, with the audio played before each."""
        reached: list[tuple[str, int]] = []
        played = False
        while self.frames:
            head = self.frames[0]
            if isinstance(head, str):
                self.frames.popleft()
                reached.append((head, self.current_ms))
                self.current_ms = 0
                continue
            if played:
                break
            self.frames.popleft()
            self.current_ms += FRAME_MS
            played = True
        if played:
            self.last_audio_at = time.monotonic()
        return reached

    def clear(self) -> list[str]:
        """Drop queued audio; pending marks are returned at once, as Twilio does."""
        marks = [f for f in self.frames if isinstance(f, str)]
        self.frames.clear()
        self.current_ms = 0
        return marks

    @property
    def busy(self) -> bool:
        return bool(self.frames)


def load_wav(path: Path) -> tuple[bytes, int]:
    """16-bit mono PCM and its rate from a WAV file."""
    with wave.open(str(path)) as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono WAV")
        return w.readframes(w.getnframes()), w.getframerate()


def _stream_target(document: str) -> tuple[str, dict[str, str], str | None]:
    root = ET.fromstring(document)
    connect = root.find("Connect")
    stream = connect.find("Stream") if connect is not None else None
    if connect is None or stream is None:
        raise SimulationError(f"TwiML has no <Connect><Stream>: {document}")
    params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
    return stream.get("url", ""), params, connect.get("action")


class _Mouth:
    """What the caller sends next, frame by frame: the steps' audio, keys, line noise.

    A step starts once the hotline has answered the last one and gone quiet for the
    configured idle time, or — for a barge-in step — while a prompt is playing.
    """

    def __init__(
        self,
        steps: Sequence[Step],
        audio: dict[int, bytes],
        idle_frame: Callable[[], bytes],
        idle_frames_needed: int,
    ) -> None:
        self.steps = steps
        self.audio = audio
        self.idle_frame = idle_frame
        self.idle_frames_needed = idle_frames_needed
        self.outgoing: deque[bytes] = deque()
        self.owners: deque[int] = deque()
        """Which step each outgoing frame belongs to (-1: silence), for timing only."""
        self.keys: deque[str] = deque()
        self.step_index = 0
        self.idle_frames = 0
        self.waiting_for_reply = True  # the greeting comes first

    def due(self, ear: Earpiece) -> bool:
        """Whether the next step starts at this frame."""
        idle = not ear.busy and not self.outgoing and not self.keys
        self.idle_frames = self.idle_frames + 1 if idle else 0
        if (
            self.waiting_for_reply
            and ear.audio_since_action
            and self.idle_frames >= self.idle_frames_needed
        ):
            self.waiting_for_reply = False
        barge = (
            self.step_index < len(self.steps)
            and self.steps[self.step_index].barge_in
            and ear.busy
            and ear.current_ms >= BARGE_AFTER_MS
            and not self.outgoing
            and not self.keys
        )
        return (not self.waiting_for_reply and idle) or barge

    def next_step(self) -> Step | None:
        """The step to start now; None when the script is over."""
        return self.steps[self.step_index] if self.step_index < len(self.steps) else None

    def start(self, step: Step, ear: Earpiece) -> None:
        """Queue what ``step`` sends (``hangup`` is the caller's to carry out)."""
        if step.kind in ("say", "wav", "noise"):
            frames = list(split_frames(self.audio[self.step_index]))
            self.outgoing.extend(frames)
            self.owners.extend([self.step_index] * len(frames))
        elif step.kind == "dtmf":
            self.keys.extend(step.value)
        elif step.kind == "wait":
            silence = [self.idle_frame() for _ in range(max(1, int(float(step.value) * 50)))]
            self.outgoing.extend(silence)
            self.owners.extend([-1] * len(silence))
        self.step_index += 1
        ear.audio_since_action = False
        self.waiting_for_reply = step.kind not in ("wait", "noise")
        self.idle_frames = 0

    def key(self, chunk: int) -> str | None:
        """The key to press at this frame: ~100 ms apart, like a person on a keypad."""
        return self.keys.popleft() if self.keys and chunk % 5 == 0 else None

    def frame(self) -> tuple[bytes, int]:
        """The next 20 ms of caller audio and the step it belongs to (-1: none)."""
        frame = self.outgoing.popleft() if self.outgoing else self.idle_frame()
        owner = self.owners.popleft() if self.owners else -1
        return frame, owner


class Simulator:
    """Places simulated calls against a running server."""

    def __init__(
        self,
        config: SimConfig,
        synth: Synthesizer | None = None,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.synth = synth
        self.echo = echo or (lambda line: None)

    def _say_line(self, result: CallResult, line: str) -> None:
        result.log.append(line)
        self.echo(line)

    def caller_audio(self, step: Step, seed: int = 0) -> bytes:
        """μ-law telephone audio for a ``say`` or ``wav`` step."""
        if step.kind == "noise":
            # A cough or a bump on the handset: loud broadband noise, no speech.
            samples = int(float(step.value) * 8000)
            rng = np.random.default_rng(seed)
            noise = np.clip(rng.normal(0, 6000, samples), -32768, 32767).astype("<i2")
            return pcm16_to_ulaw(noise.tobytes())
        if step.kind == "say":
            synth, voice = self.synth, self.config.voice
            if ":" in voice:  # another engine's voice, e.g. flite:slt
                synth, voice = synthesizer_for(voice)
            if synth is None:
                raise SimulationError("--say needs a speech synthesizer")
            speech = synth.synthesize(step.value, voice, self.config.rate)
            return telephone_channel(speech.pcm, speech.rate, snr_db=self.config.snr_db, seed=seed)
        pcm, rate = load_wav(Path(step.value))
        return telephone_channel(pcm, rate, snr_db=self.config.snr_db, seed=seed)

    def _form(self, call_sid: str, status: str, **extra: str) -> dict[str, str]:
        cfg = self.config
        form = {
            "AccountSid": cfg.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": call_sid,
            "CallStatus": status,
            "Called": cfg.called,
            "Caller": cfg.caller,
            "Direction": "inbound",
            "From": cfg.caller,
            "To": cfg.called,
        }
        form.update(extra)
        return form

    async def _post(self, client: httpx.AsyncClient, url: str, form: dict[str, str]) -> str:
        """POST a signed webhook to a public URL (rewritten to ``base_url``)."""
        cfg = self.config
        parts = urlsplit(url)
        local = cfg.base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"X-Twilio-Signature": sign(cfg.auth_token, url, form)}
        response = await client.post(local, data=form, headers=headers)
        if response.status_code >= 400:
            raise SimulationError(
                f"POST {parts.path} answered {response.status_code}: {response.text}"
            )
        return response.text

    async def place_call(self, steps: Sequence[Step], call_sid: str | None = None) -> CallResult:
        """Run one whole call and return what happened."""
        cfg = self.config
        sid = call_sid or new_call_sid()
        result = CallResult(call_sid=sid)
        timing = result.timing = CallTiming() if cfg.record_timing else None
        # Synthesize caller speech up front so it never stalls the 20 ms media clock.
        audio = {
            i: self.caller_audio(s, seed=i)
            for i, s in enumerate(steps)
            if s.kind in ("say", "wav", "noise")
        }
        async with httpx.AsyncClient(timeout=30) as client:
            self._say_line(result, f"call {sid} from {cfg.caller} to {cfg.called}")
            started = time.monotonic()
            if timing is not None:
                timing.webhook_at = started
            result.voice_twiml = await self._post(
                client, cfg.public_url + "/twilio/voice", self._form(sid, "ringing")
            )
            stream_url, params, action = _stream_target(result.voice_twiml)
            await asyncio.wait_for(
                self._stream(result, stream_url, params, steps, audio, started),
                timeout=cfg.timeout_s,
            )
            if result.closed_by == "caller":
                self._say_line(result, "caller hung up")
            elif action:
                form = self._form(sid, "in-progress")
                result.after_stream_twiml = await self._post(client, action, form)
                self._say_line(result, f"twiml after stream: {result.after_stream_twiml}")
                await self._follow_dial(client, result)
            if cfg.api_token:
                result.record = await self._fetch_record(client, sid)
        self._print_conversation(result)
        return result

    async def _follow_dial(self, client: httpx.AsyncClient, result: CallResult) -> None:
        root = ET.fromstring(result.after_stream_twiml)
        dial = root.find("Dial")
        if dial is None:
            return
        number = dial.find("Number")
        status = self.config.agent_answers
        if number is not None and number.get("url") and status == "completed":
            agent_leg = new_call_sid()
            form = self._form(agent_leg, "in-progress", ParentCallSid=result.call_sid)
            form["Direction"] = "outbound-dial"
            result.whisper_twiml = await self._post(client, number.get("url", ""), form)
            self._say_line(result, f"agent hears: {_said(result.whisper_twiml)}")
        action = dial.get("action")
        if action:
            extra = {"DialCallStatus": status, "DialCallSid": new_call_sid()}
            form = self._form(result.call_sid, "in-progress", **extra)
            result.dial_outcome_twiml = await self._post(client, action, form)
            self._say_line(result, f"agent line {status}: {result.dial_outcome_twiml}")
            await self._answer_gather(client, result)

    async def _answer_gather(self, client: httpx.AsyncClient, result: CallResult) -> None:
        """Press the configured key at a ``<Gather>``, or — pressing nothing — let Twilio
        follow the ``<Redirect>`` after it (whose query string is part of its URL)."""
        root = ET.fromstring(result.dial_outcome_twiml)
        gather, redirect = root.find("Gather"), root.find("Redirect")
        choice = self.config.unavailable_choice
        form = self._form(result.call_sid, "in-progress")
        if gather is not None and gather.get("action") and choice:
            form["Digits"] = choice
            result.choice_twiml = await self._post(client, gather.get("action", ""), form)
            self._say_line(result, f"caller pressed {choice}: {result.choice_twiml}")
        elif gather is not None and redirect is not None and redirect.text:
            result.choice_twiml = await self._post(client, redirect.text.strip(), form)
            self._say_line(result, f"caller pressed nothing: {result.choice_twiml}")

    async def _fetch_record(self, client: httpx.AsyncClient, sid: str) -> dict[str, Any] | None:
        cfg = self.config
        response = await client.get(
            f"{cfg.base_url.rstrip('/')}/api/calls/{sid}",
            headers={"Authorization": f"Bearer {cfg.api_token}"},
        )
        if response.status_code != 200:
            return None
        record: dict[str, Any] = response.json()
        return record

    async def _stream(
        self,
        result: CallResult,
        url: str,
        params: dict[str, str],
        steps: Sequence[Step],
        audio: dict[int, bytes],
        started: float,
    ) -> None:
        cfg = self.config
        parts = urlsplit(url)
        local = cfg.base_url.replace("http", "ws", 1).rstrip("/") + parts.path
        headers = {"X-Twilio-Signature": sign(cfg.auth_token, url, {})}
        stream_sid = "MZ" + result.call_sid[2:]
        compression = "deflate" if cfg.ws_compression else None
        async with websockets.connect(
            local, additional_headers=headers, max_size=2**22, compression=compression
        ) as ws:
            await ws.send(
                json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})
            )
            seq = 1
            await ws.send(_start(stream_sid, seq, cfg.account_sid, result.call_sid, params))
            ear = Earpiece()
            closed = asyncio.Event()
            numbers = itertools.count(seq + 1)

            def seq_next() -> int:
                return next(numbers)

            read_task = asyncio.create_task(
                self._listen(ws, result, ear, closed, started, stream_sid, seq_next)
            )
            try:
                await self._pace(ws, result, steps, audio, ear, closed, stream_sid, seq_next)
            finally:
                read_task.cancel()
                await asyncio.gather(read_task, return_exceptions=True)

    async def _listen(
        self,
        ws: Any,
        result: CallResult,
        ear: Earpiece,
        closed: asyncio.Event,
        started: float,
        stream_sid: str,
        seq_next: Callable[[], int],
    ) -> None:
        """Read what the server sends (as Twilio would) until the socket closes."""
        timing = result.timing
        try:
            async for raw in ws:
                msg = json.loads(raw)
                event = msg.get("event")
                if event == "media":
                    if result.first_audio_ms is None:
                        result.first_audio_ms = (time.monotonic() - started) * 1000
                    payload = base64.b64decode(msg["media"]["payload"])
                    if timing is not None:
                        timing.audio_in.append((time.monotonic(), len(payload)))
                    ear.push_audio(payload)
                elif event == "mark":
                    if timing is not None:
                        timing.marks_in.append((time.monotonic(), msg["mark"]["name"]))
                    ear.push_mark(msg["mark"]["name"])
                elif event == "clear":
                    result.clears += 1
                    for name in ear.clear():
                        result.prompts.append(HeardPrompt(name, 0, interrupted=True))
                        await ws.send(_mark(stream_sid, name, seq_next()))
        except websockets.ConnectionClosed:
            pass
        finally:
            closed.set()

    async def _pace(
        self,
        ws: Any,
        result: CallResult,
        steps: Sequence[Step],
        audio: dict[int, bytes],
        ear: Earpiece,
        closed: asyncio.Event,
        stream_sid: str,
        seq_next: Callable[[], int],
    ) -> None:
        cfg = self.config
        frame_s = FRAME_MS / 1000 / cfg.speed
        timing = result.timing
        mouth = _Mouth(steps, audio, _line(cfg.line_noise_rms), max(1, cfg.idle_ms // FRAME_MS))
        chunk = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        try:
            while not closed.is_set():
                # Absolute-deadline pacing: no drift however long each iteration takes.
                deadline += frame_s
                delay = deadline - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                for name, ms in ear.tick():
                    result.prompts.append(HeardPrompt(name, ms))
                    await ws.send(_mark(stream_sid, name, seq_next()))
                if mouth.due(ear):
                    step = mouth.next_step()
                    if step is None:
                        break
                    result.actions.append(step)
                    self._say_line(result, f"caller {step.kind}: {step.value}")
                    if step.kind == "hangup":
                        break
                    mouth.start(step, ear)
                digit = mouth.key(chunk)
                if digit is not None:
                    if timing is not None:
                        timing.dtmf_out.append((time.monotonic(), digit))
                    await ws.send(_dtmf(stream_sid, seq_next(), digit))
                frame, owner = mouth.frame()
                chunk += 1
                await ws.send(_media(stream_sid, seq_next(), chunk, frame))
                if timing is not None and owner >= 0:
                    timing.step_frames.setdefault(owner, []).append(time.monotonic())
        except websockets.ConnectionClosed:
            closed.set()
        if closed.is_set():
            result.closed_by = "server"
            return
        result.closed_by = "caller"
        await ws.send(_stop(stream_sid, seq_next(), cfg.account_sid, result.call_sid))
        await ws.close()

    def _print_conversation(self, result: CallResult) -> None:
        record = result.record
        if record is None:
            return
        prompts = {p.get("mark"): p for p in record.get("prompts", [])}
        for heard in result.prompts:
            said = prompts.get(heard.mark)
            text = said.get("text") if said else "?"
            cut = " (interrupted)" if heard.interrupted else ""
            self._say_line(result, f"ivr [{heard.mark}]{cut}: {text}")
        for turn in record.get("turns", []):
            self._say_line(result, _turn_line(turn))
        transfer = record.get("transfer")
        if transfer:
            self._say_line(result, f"transferred: {transfer.get('reason')}")
        self._say_line(result, f"call status: {record.get('status')}")


def _turn_line(turn: dict[str, Any]) -> str:
    """One recorded turn as the conversation printout shows it."""
    conf = turn.get("confidence")
    conf_s = f" conf {conf:.2f}" if isinstance(conf, float) else ""
    return (
        f"turn {turn.get('menu')}: {turn.get('input')} {turn.get('transcript')!r}"
        f" -> {turn.get('intent')} ({turn.get('outcome')}{conf_s})"
    )


def _mark(stream_sid: str, name: str, seq: int) -> str:
    return json.dumps(
        {
            "event": "mark",
            "sequenceNumber": str(seq),
            "streamSid": stream_sid,
            "mark": {"name": name},
        }
    )


def _start(
    stream_sid: str, seq: int, account_sid: str, call_sid: str, params: dict[str, str]
) -> str:
    return json.dumps(
        {
            "event": "start",
            "sequenceNumber": str(seq),
            "streamSid": stream_sid,
            "start": {
                "accountSid": account_sid,
                "streamSid": stream_sid,
                "callSid": call_sid,
                "tracks": ["inbound"],
                "customParameters": params,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }
    )


def _media(stream_sid: str, seq: int, chunk: int, frame: bytes) -> str:
    return json.dumps(
        {
            "event": "media",
            "sequenceNumber": str(seq),
            "streamSid": stream_sid,
            "media": {
                "track": "inbound",
                "chunk": str(chunk),
                "timestamp": str(chunk * FRAME_MS),
                "payload": base64.b64encode(frame).decode("ascii"),
            },
        }
    )


def _dtmf(stream_sid: str, seq: int, digit: str) -> str:
    return json.dumps(
        {
            "event": "dtmf",
            "streamSid": stream_sid,
            "sequenceNumber": str(seq),
            "dtmf": {"track": "inbound_track", "digit": digit},
        }
    )


def _stop(stream_sid: str, seq: int, account_sid: str, call_sid: str) -> str:
    return json.dumps(
        {
            "event": "stop",
            "sequenceNumber": str(seq),
            "streamSid": stream_sid,
            "stop": {"accountSid": account_sid, "callSid": call_sid},
        }
    )


def _said(document: str) -> str:
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        return document
    return " ".join((el.text or "").strip() for el in root.iter("Say"))


class SimulationError(RuntimeError):
    """The server did something a real Twilio call could not continue from."""
