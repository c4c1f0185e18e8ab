"""The recognizer port: what the call session needs from any speech engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class RecognizerGrammar:
    """What a recognizer needs from one compiled menu grammar."""

    key: str
    """Stable id of this grammar's content (a hash); engines cache compiled searches by it."""
    phrases: tuple[str, ...]
    """Every sentence the menu accepts, lower case, words separated by single spaces (Vosk)."""
    jsgf: str
    """The same language as a JSGF grammar with public rule ``<main>`` (PocketSphinx)."""
    words: frozenset[str] = field(default_factory=frozenset)
    """Every word used by ``phrases``."""


@dataclass(frozen=True)
class WordResult:
    """One recognized word with the engine's confidence in it (0..1)."""

    word: str
    confidence: float


@dataclass(frozen=True)
class Transcript:
    """The final result of one utterance."""

    text: str
    """Recognized words, lower case, single spaces; empty when nothing was recognized."""
    confidence: float
    """Utterance confidence 0..1 (the minimum word confidence where the engine has them)."""
    words: tuple[WordResult, ...] = ()
    engine: str = ""


class RecognizerSession(Protocol):
    """One utterance being decoded. Methods block: call them from a worker thread."""

    def accept(self, pcm16: bytes) -> None:
        """Feed 16-bit little-endian mono PCM at 8 kHz, in arrival order."""

    def partial(self) -> str:
        """Words recognized so far (may change until ``finish``)."""

    def finish(self) -> Transcript:
        """End the utterance and return the final transcript. The session is then spent."""


class SpeechEngine(Protocol):
    """A loaded speech model shared by every call in the process."""

    name: str
    """``vosk`` or ``pocketsphinx``."""

    def open(self, grammar: RecognizerGrammar) -> RecognizerSession:
        """Start decoding one utterance constrained to ``grammar``. May block briefly."""

    def missing_words(self, words: Iterable[str]) -> list[str]:
        """The words of ``words`` this engine's vocabulary does not know, in input order."""
