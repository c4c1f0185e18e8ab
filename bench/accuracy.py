"""Recognition accuracy with the real engines and the real compiled grammars.

Every labelled utterance (:mod:`bench.corpus`) is synthesized in every condition, sent
through the telephone channel, decoded back to PCM and fed to the engine in the session's
100 ms chunks; the result is judged with the app's confidence policy. With ``freeform`` the
same audio is also decoded without a grammar (:mod:`bench.freeform`), interleaved utterance
by utterance so both modes see the same machine load.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bench.corpus import (
    ENGLISH,
    ENGLISH_CONDITIONS,
    KOREAN,
    KOREAN_CONDITIONS,
    QUICK_ENGLISH_CONDITIONS,
    QUICK_KOREAN_CONDITIONS,
    Condition,
    Utterance,
)
from bench.freeform import FreeFormPocketSphinx, FreeFormVosk, spot
from bench.server import ROOT
from ivr.asr.base import RecognizerGrammar, RecognizerSession, Transcript
from ivr.audio.channel import telephone_channel
from ivr.audio.codec import ulaw_to_pcm16
from ivr.grammar import DIGITS_INTENT, DIGITS_SLOT, CompiledMenu, compile_grammar_set
from ivr.grammar import load_grammar_dir as load_grammars
from ivr.settings import Settings
from ivr.tts.synth import Pyttsx3Synthesizer

CHUNK_BYTES = 1600
"""100 ms of 8 kHz PCM, the call session's feeding size."""


def _policy_default(name: str, fallback: float) -> float:
    """The app's default threshold (the settings are the single source of the policy)."""
    field = Settings.model_fields.get(name)
    return float(field.default) if field is not None else fallback


REJECT_BELOW = _policy_default("reject_below", 0.45)
CONFIRM_BELOW = _policy_default("confirm_below", 0.6)


class _Engine(Protocol):
    name: str

    def open(self, grammar: RecognizerGrammar) -> RecognizerSession: ...


@dataclass(frozen=True)
class Mode:
    """An engine plus how its text becomes an intent."""

    label: str
    engine: _Engine
    free: bool


def judge(menu: CompiledMenu, utt: Utterance, t: Transcript, free: bool) -> str:
    """Outcome of one trial under the app's policy.

    ``correct`` (acted on), ``correct_confirmed`` (right, but asked "did you say …?"),
    ``rejected`` (re-prompted: no match or confidence below the reject threshold),
    ``wrong_confirmed`` (wrong intent, but confirmation catches it), ``false_accept``
    (wrong intent acted on). Out-of-scope utterances can only be ``rejected``,
    ``wrong_confirmed`` or ``false_accept``.
    """
    found = spot(menu, t.text) if free else menu.match(t.text)
    if found is None or t.confidence < REJECT_BELOW:
        return "rejected"
    if utt.out_of_scope:
        right = False
    elif utt.digits is not None:
        right = found.intent == DIGITS_INTENT and found.slots.get(DIGITS_SLOT) == utt.digits
    else:
        expected = menu.match(utt.text)
        right = expected is not None and found.intent == expected.intent
    sure = t.confidence >= CONFIRM_BELOW
    if right:
        return "correct" if sure else "correct_confirmed"
    return "false_accept" if sure else "wrong_confirmed"


def decode(engine: _Engine, grammar: RecognizerGrammar, pcm: bytes) -> tuple[Transcript, float]:
    """Recognize ``pcm``; the transcript and the process CPU seconds it took."""
    cpu = time.process_time()
    session = engine.open(grammar)
    for start in range(0, len(pcm), CHUNK_BYTES):
        session.accept(pcm[start : start + CHUNK_BYTES])
    transcript = session.finish()
    return transcript, time.process_time() - cpu


def run_language(
    utterances: Sequence[Utterance],
    conditions: Sequence[Condition],
    menus: Mapping[str, CompiledMenu],
    modes: Sequence[Mode],
    synth: Pyttsx3Synthesizer,
) -> dict[str, Any]:
    """Every utterance × condition through every mode; tallies per mode."""
    tallies: dict[str, dict[str, Any]] = {
        m.label: {"outcomes": Counter(), "by_menu": defaultdict(Counter),
                  "by_condition": defaultdict(Counter), "cpu_s": 0.0, "audio_s": 0.0,
                  "wrong": Counter(), "missed": Counter(), "trials": 0}
        for m in modes
    }  # fmt: skip
    # Warm-up (not counted): first decodes load lazily built state (graphs, caches).
    warm = synth.synthesize(utterances[0].text, conditions[0].voice, conditions[0].rate)
    warm_pcm = ulaw_to_pcm16(telephone_channel(warm.pcm, warm.rate))
    for mode in modes:
        decode(mode.engine, menus[utterances[0].menu].recognizer, warm_pcm)
    for ci, cond in enumerate(conditions):
        for ui, utt in enumerate(utterances):
            speech = synth.synthesize(utt.text, cond.voice, cond.rate)
            seed = ci * 1000 + ui
            ulaw = telephone_channel(speech.pcm, speech.rate, snr_db=cond.snr_db, seed=seed)
            pcm = ulaw_to_pcm16(ulaw)
            menu = menus[utt.menu]
            for mode in modes:
                transcript, cpu = decode(mode.engine, menu.recognizer, pcm)
                outcome = judge(menu, utt, transcript, mode.free)
                kind = "oos" if utt.out_of_scope else ("digits" if utt.digits else "intent")
                tally = tallies[mode.label]
                tally["outcomes"][f"{kind}:{outcome}"] += 1
                tally["by_menu"][utt.menu][f"{kind}:{outcome}"] += 1
                tally["by_condition"][cond.label][f"{kind}:{outcome}"] += 1
                tally["cpu_s"] += cpu
                tally["trials"] += 1
                tally["audio_s"] += len(pcm) / 16000
                if outcome in ("false_accept", "wrong_confirmed"):
                    tally["wrong"][f"{utt.text!r} → {transcript.text!r}"] += 1
                elif outcome == "rejected" and not utt.out_of_scope:
                    tally["missed"][f"{utt.text!r} → {transcript.text!r}"] += 1
        print(f"  {cond.label}: done", file=sys.stderr, flush=True)
    return {
        label: {
            "outcomes": dict(t["outcomes"]),
            "by_menu": {k: dict(v) for k, v in t["by_menu"].items()},
            "by_condition": {k: dict(v) for k, v in t["by_condition"].items()},
            "cpu_s": t["cpu_s"],
            "audio_s": t["audio_s"],
            "trials": t["trials"],
            "wrong": dict(t["wrong"].most_common(8)),
            "missed": dict(t["missed"].most_common(8)),
        }
        for label, t in tallies.items()
    }


def run_accuracy(*, quick: bool, freeform: bool) -> dict[str, Any]:
    """English on PocketSphinx, Korean on Vosk; with ``freeform`` also without grammars."""
    from bench.korean import korean_engine

    synth = Pyttsx3Synthesizer()
    try:
        en = compile_grammar_set(load_grammars(ROOT / "grammars" / "en"))
        grammar_ps = grammar_pocketsphinx()
        modes = [Mode("pocketsphinx grammar", grammar_ps, False)]
        if freeform:
            modes.append(Mode("pocketsphinx free-form", FreeFormPocketSphinx(), True))
        english = run_language(
            ENGLISH, QUICK_ENGLISH_CONDITIONS if quick else ENGLISH_CONDITIONS, en, modes, synth
        )
        ko = compile_grammar_set(load_grammars(ROOT / "grammars" / "ko"))
        vosk = korean_engine()
        kmodes = [Mode("vosk grammar (ko)", vosk, False)]
        if freeform:
            kmodes.append(Mode("vosk free-form (ko)", FreeFormVosk(vosk), True))
        korean = run_language(
            KOREAN, QUICK_KOREAN_CONDITIONS if quick else KOREAN_CONDITIONS, ko, kmodes, synth
        )
    finally:
        synth.close()
    return {
        "policy": {"reject_below": REJECT_BELOW, "confirm_below": CONFIRM_BELOW},
        "english": english,
        "korean": korean,
        "english_conditions": [
            c.label for c in (QUICK_ENGLISH_CONDITIONS if quick else ENGLISH_CONDITIONS)
        ],
        "korean_conditions": [
            c.label for c in (QUICK_KOREAN_CONDITIONS if quick else KOREAN_CONDITIONS)
        ],
        "english_utterances": len(ENGLISH),
        "korean_utterances": len(KOREAN),
    }


def grammar_pocketsphinx() -> _Engine:
    """The app's PocketSphinx engine (imported late: it loads a native library)."""
    from ivr.asr.pocketsphinx_engine import PocketSphinxEngine

    return PocketSphinxEngine()
