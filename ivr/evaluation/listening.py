"""The I/O edge of ``ivr grammar test``: speak a case over a phone line into the recognizers.

Text is synthesized (by ``ivr grammar test``: espeak-ng, which says the same text the same
way every time, see :mod:`ivr.tts.espeak`), or a recording is read; either
goes through :func:`ivr.audio.channel.telephone_channel` (300–3400 Hz, 8 kHz μ-law, line
hiss) and is decoded back to 16-bit PCM, as the call session does with Twilio's frames,
then heard as a call hears it: the grammar pass fed in the session's chunk size, the
free-form pass when the server would run one, and the same decision.
"""

from __future__ import annotations

import wave
from pathlib import Path

from ivr.asr.base import SpeechEngine
from ivr.audio.channel import telephone_channel
from ivr.audio.codec import ulaw_to_pcm16
from ivr.evaluation.runner import Listener
from ivr.grammar.compiler import CompiledMenu
from ivr.grammar.regression import Case, Condition, Heard
from ivr.recognition.freepass import FreePass
from ivr.tts.synth import Speech, Synthesizer


def read_wav(path: Path) -> Speech:
    """A 16-bit mono WAV file as :class:`Speech`; ``ValueError`` for other formats."""
    with wave.open(str(path)) as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: expected a 16-bit mono WAV recording")
        return Speech(wav.readframes(wav.getnframes()), wav.getframerate())


class PhoneListener:
    """A :data:`ivr.grammar.regression.Listen` over a synthesizer and a loaded engine.

    Synthesized speech is cached per (text, voice, rate): repeats and retries of a case
    differ in their line noise (the condition's seed).
    """

    def __init__(
        self, synth: Synthesizer, engine: SpeechEngine, free: FreePass | None = None
    ) -> None:
        self.synth = synth
        self.listener = Listener(engine, free)
        self._speech: dict[tuple[str, str, int], Speech] = {}

    def speech(self, case: Case, condition: Condition) -> Speech:
        """The caller's clean audio for ``case``."""
        if case.wav is not None:
            return read_wav(case.wav)
        assert case.say is not None  # a case has exactly one of say / wav
        key = (case.say, condition.voice, condition.rate)
        if key not in self._speech:
            self._speech[key] = self.synth.synthesize(case.say, condition.voice, condition.rate)
        return self._speech[key]

    def __call__(self, case: Case, condition: Condition, menu: CompiledMenu) -> Heard:
        """Hear ``case`` spoken under ``condition`` in ``menu``."""
        speech = self.speech(case, condition)
        ulaw = telephone_channel(speech.pcm, speech.rate, seed=condition.seed)
        _, decision, _ = self.listener.hear(menu, ulaw_to_pcm16(ulaw))
        return Heard(decision.text, decision.confidence, decision.meaning)
