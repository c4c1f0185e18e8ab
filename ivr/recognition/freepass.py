"""The free-form pass as the call session uses it: the right hint and limits per menu.

Whisper takes "previous text" as context. Given a choice menu's short sentences (two words
or fewer: "Balance. Policy. Lost card. Agent. …") it spells short answers the menu's way
("Policy." rather than "I'll see."): measured on 300 dev-set main-menu utterances, 147 right
intents with these hints, 139 with one sentence per intent, 115 with none — with as few
out-of-scope sentences acted on. For digit menus the hint is the ten digits, so digit
strings come back as numerals, and the output is capped a little above the menu's length
(Whisper loops on digit strings: "2 4 6 8 2 4 6 8 …"; see :func:`ivr.recognition.freetext.
unloop_digits`). Forbidding repeated runs instead made it substitute digits ("2 4 6 8 2 4 6
7"), which is worse: a loop can be recognized, a substitution cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ivr.asr.whisper_engine import FreeTranscript, WhisperEngine
from ivr.audio.codec import resample
from ivr.grammar.compiler import CompiledMenu
from ivr.recognition.freetext import clean, digit_run

DIGITS_HINT = "0 1 2 3 4 5 6 7 8 9."
HINT_MAX_WORDS = 2
"""Sentences of at most this many words go into a choice menu's hint."""
HINT_MAX_SENTENCES = 40
EXTRA_DIGIT_TOKENS = 8
"""Room for lead-in words around a digit string ("uh, my pin is …")."""


@dataclass(frozen=True)
class PassOptions:
    """How to run the free-form pass for one menu."""

    hint: str
    max_tokens: int | None = None
    no_repeat_ngram: int = 0
    context_s: float | None = None
    """Audio context for this menu (None: the engine's)."""


REHEAR_SPEED = 1.12
"""How much faster an utterance nobody understood is played to Whisper for a second
hearing (pitch and tempo together). Chosen on the dev split: of 60 rejected in-scope
utterances, 26 were understood at 1.12× (1.06×: 17, 1.2×: 22; slower, 0.88×: 18), with
3 of 60 out-of-scope ones turned into a "did you say …?" and none acted on. 1.0 is off."""
DIGITS_CONTEXT_S = 30.0
"""Whisper's own window, for digit strings: on the human dev PINs 19 of 22 exactly right
at 30 s against 15 at 10 s (which loops), for ~0.5 s of CPU instead of ~0.15 s."""


def options_for(menu: CompiledMenu, digits_context_s: float = DIGITS_CONTEXT_S) -> PassOptions:
    """The hint and limits for ``menu``."""
    spec = menu.menu.digits
    if spec is not None:
        return PassOptions(DIGITS_HINT, spec.max + EXTRA_DIGIT_TOKENS, context_s=digits_context_s)
    return PassOptions(menu_hint(menu))


def menu_hint(menu: CompiledMenu) -> str:
    """``"Balance. Balances. My balance. Policy. … Main menu. Start over."``"""
    if menu.menu.digits is not None:
        return DIGITS_HINT
    short = [
        phrase
        for intent in menu.menu.intents
        for phrase in menu.phrases_for(intent.id)
        if len(phrase.split()) <= HINT_MAX_WORDS
    ]
    return " ".join(f"{p[:1].upper()}{p[1:]}." for p in short[:HINT_MAX_SENTENCES])


class FreePass:
    """The loaded free-form engine plus per-menu options (cached by grammar content)."""

    def __init__(
        self,
        engine: WhisperEngine,
        digits_context_s: float = DIGITS_CONTEXT_S,
        rehear_speed: float = REHEAR_SPEED,
    ) -> None:
        self.engine = engine
        self.digits_context_s = digits_context_s
        self.rehear_speed = rehear_speed
        self._options: dict[str, PassOptions] = {}

    def options(self, menu: CompiledMenu) -> PassOptions:
        key = f"{menu.menu.id}:{menu.recognizer.key}"
        found = self._options.get(key)
        if found is None:
            found = self._options[key] = options_for(menu, self.digits_context_s)
        return found

    def hear(self, menu: CompiledMenu, pcm8k: bytes) -> FreeTranscript:
        """Transcribe one utterance heard in ``menu``. Blocks: run it in a worker thread.

        In a digits menu the audio is encoded once and read twice: transcribed freely (the
        caller may say "agent" or "main menu" instead) and searched for digit strings of
        the lengths the menu takes (:meth:`WhisperEngine.read_digits`)."""
        o = self.options(menu)
        kwargs: dict[str, Any] = {"hint": o.hint, "no_repeat_ngram": o.no_repeat_ngram}
        if o.max_tokens is not None:
            kwargs["max_tokens"] = o.max_tokens
        if o.context_s is not None:
            kwargs["context_s"] = o.context_s
        spec = menu.menu.digits
        if spec is None or len(pcm8k) < MIN_DIGITS_AUDIO_BYTES:
            return self.engine.transcribe(pcm8k, **kwargs)
        encoded = self.engine.encode(pcm8k, o.context_s)
        free = self.engine.transcribe(pcm8k, encoded=encoded, **kwargs)
        lengths = digit_lengths(spec.min, spec.max, free.text)
        return replace(free, digit_readings=self.engine.read_digits(encoded, lengths))

    def rehears(self, menu: CompiledMenu) -> bool:
        """Whether an utterance of ``menu`` that nobody understood gets a second hearing
        (see :func:`rehears`)."""
        return rehears(menu, self.rehear_speed)

    def rehear(self, menu: CompiledMenu, pcm8k: bytes) -> FreeTranscript:
        """Transcribe the utterance again, played ``rehear_speed`` times faster. Blocks."""
        faster = resample(pcm8k, round(8000 * self.rehear_speed), 8000)
        return self.hear(menu, faster)


def rehears(menu: CompiledMenu, speed: float = REHEAR_SPEED) -> bool:
    """Whether an utterance of ``menu`` that nobody understood gets a second hearing at
    ``speed``: not in digits menus (a PIN is never guessed twice), and not when it is off."""
    return speed != 1.0 and menu.menu.digits is None


MIN_DIGITS_AUDIO_BYTES = 1600
"""Less than 100 ms of audio holds no digit string (and Whisper is not asked)."""


def digit_lengths(shortest: int, longest: int, free_text: str) -> tuple[int, ...]:
    """The lengths worth a constrained search: the longest the menu takes (a fixed-length
    PIN, a full account number) and the length the free transcript heard, if the menu
    takes it — free transcription drops digits more often than it invents them."""
    heard = digit_run(clean(free_text, digits=True).split())
    lengths = [longest]
    if heard is not None and shortest <= len(heard) < longest:
        lengths.append(len(heard))
    return tuple(lengths)
