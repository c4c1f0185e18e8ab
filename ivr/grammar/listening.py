"""The I/O edge of ``ivr grammar test``: speak a case over a phone line into a real recognizer.

Text is synthesized (by ``ivr grammar test``: espeak-ng, which says the same text the same
way every time, see :mod:`ivr.tts.espeak`), or a recording is read; either
goes through :func:`ivr.audio.channel.telephone_channel` (300–3400 Hz, 8 kHz μ-law, line
hiss) and is decoded back to 16-bit PCM, as the call session does with Twilio's frames,
then fed to the engine in the session's chunk size.
"""

from __future__ import annotations

import wave
from pathlib import Path

from ivr.asr.base import RecognizerGrammar, SpeechEngine, Transcript
from ivr.audio.channel import telephone_channel
from ivr.audio.codec import ulaw_to_pcm16
from ivr.grammar.regression import Case, Condition
from ivr.tts.synth import Speech, Synthesizer

CHUNK_BYTES = 5 * 160 * 2
"""100 ms of 8 kHz 16-bit PCM: the call session feeds its recognizer five 20 ms frames at once."""


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

    def __init__(self, synth: Synthesizer, engine: SpeechEngine) -> None:
        self.synth = synth
        self.engine = engine
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

    def __call__(self, case: Case, condition: Condition, grammar: RecognizerGrammar) -> Transcript:
        """Recognize ``case`` spoken under ``condition`` with ``grammar``."""
        speech = self.speech(case, condition)
        ulaw = telephone_channel(speech.pcm, speech.rate, seed=condition.seed)
        pcm = ulaw_to_pcm16(ulaw)
        session = self.engine.open(grammar)
        for start in range(0, len(pcm), CHUNK_BYTES):
            session.accept(pcm[start : start + CHUNK_BYTES])
        return session.finish()
