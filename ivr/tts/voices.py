"""Caller voices by name: ``engine:voice`` (``flite:slt``, ``festival:ked_diphone``).

A bare name is an espeak-ng voice (``gmw/en-us``), as before. Engines are created once per
process and shared; each is stateless or locked, so the same spec always sounds the same.
"""

from __future__ import annotations

import functools
import importlib

from ivr.tts.synth import SynthesisError, Synthesizer

ENGINES = ("espeak", "pyttsx3", "festival", "flite", "piper")


_FACTORIES = {
    "espeak": ("ivr.tts.espeak", "EspeakSynthesizer"),
    "pyttsx3": ("ivr.tts.synth", "Pyttsx3Synthesizer"),
    "festival": ("ivr.tts.commands", "FestivalSynthesizer"),
    "flite": ("ivr.tts.commands", "FliteSynthesizer"),
    "piper": ("ivr.tts.piper_voice", "PiperSynthesizer"),
}
"""Engine name → (module, class), imported only when that engine is asked for (piper
pulls in onnxruntime)."""


@functools.cache
def _engine(name: str) -> Synthesizer:
    if name not in _FACTORIES:
        raise SynthesisError(f"unknown speech engine {name!r} (one of: {', '.join(ENGINES)})")
    module, cls = _FACTORIES[name]
    synth: Synthesizer = getattr(importlib.import_module(module), cls)()
    return synth


def parse_voice(spec: str) -> tuple[str, str]:
    """``"flite:slt"`` → ``("flite", "slt")``; ``"gmw/en-us"`` → ``("espeak", "gmw/en-us")``."""
    engine, sep, voice = spec.partition(":")
    if not sep:
        return "espeak", spec
    if engine not in ENGINES:
        raise SynthesisError(f"unknown speech engine {engine!r} in voice {spec!r}")
    if not voice:
        raise SynthesisError(f"voice {spec!r} names no voice after '{engine}:'")
    return engine, voice


def synthesizer_for(spec: str) -> tuple[Synthesizer, str]:
    """The shared synthesizer for ``spec`` and the voice name to pass it."""
    engine, voice = parse_voice(spec)
    return _engine(engine), voice
