"""Vosk engine: the production recognizer, one phrase-list recognizer per utterance.

The ``vosk.Model`` (hundreds of MB of graph) is loaded once per process and shared; a
``KaldiRecognizer`` is cheap and is made per utterance with the menu's phrase list.

Out-of-grammar speech: when the model knows ``[unk]`` it is added to the phrase list, so
speech outside the menu decodes as ``[unk]`` instead of being forced onto a menu phrase. If
``[unk]`` appears, the remaining words are kept only when they are exactly one menu phrase
("[unk] main menu" → "main menu", a filler before a command); otherwise the transcript is
empty with confidence 0 so the dialog re-prompts rather than acts on a fragment.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import vosk

from ivr.asr.base import RecognizerGrammar, Transcript, WordResult
from ivr.asr.errors import EngineError
from ivr.asr.models import looks_like_vosk_model

NAME = "vosk"
UNK = "[unk]"
SAMPLE_RATE = 8000
"""Twilio's rate; Vosk resamples to the model's rate internally."""

# Kaldi logs every recognizer creation at INFO level; -1 keeps warnings and errors only.
vosk.SetLogLevel(-1)

_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def _check_model_dir(path: Path) -> None:
    if not path.is_dir():
        raise EngineError(f"Vosk model directory {path} does not exist")
    if not looks_like_vosk_model(path):
        raise EngineError(
            f"{path} is not a Vosk model directory (no am/final.mdl or conf/model.conf); "
            "point IVR_VOSK_MODEL at the unpacked model folder"
        )


def load_model(path: Path) -> tuple[Any, float]:
    """The process-wide ``vosk.Model`` for ``path`` and the seconds its first load took."""
    key = os.fspath(path.resolve())
    with _models_lock:
        cached = _models.get(key)
        if cached is not None:
            return cached, 0.0
        _check_model_dir(path)
        started = time.perf_counter()
        try:
            model = vosk.Model(key)
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise EngineError(f"Vosk could not load the model in {path}: {exc}") from exc
        _models[key] = model
        return model, time.perf_counter() - started


def interpret(raw_words: Sequence[tuple[str, float]], phrases: Iterable[str]) -> tuple[str, float]:
    """Text and confidence of an utterance from Vosk's words, applying the ``[unk]`` rule."""
    if not raw_words:
        return "", 0.0
    known = [(w, c) for w, c in raw_words if w != UNK]
    text = " ".join(w for w, _ in known)
    if len(known) != len(raw_words) and text not in set(phrases):
        return "", 0.0
    return text, min((c for _, c in known), default=0.0)


class VoskSession:
    """One utterance on its own ``KaldiRecognizer``."""

    def __init__(self, recognizer: Any, phrases: tuple[str, ...]) -> None:
        self._recognizer: Any | None = recognizer
        self._phrases = phrases
        # Vosk's own endpointer may close a segment mid-utterance (a long pause between
        # words); AcceptWaveform then returns True and that segment's words are only
        # available from Result(), so they are collected here for finish().
        self._done_words: list[tuple[str, float]] = []
        # Vosk reads the buffer as whole 16-bit samples; an odd-length chunk would shift
        # every later sample by a byte (measured: the utterance then decodes to nothing).
        self._carry = b""

    def _live(self) -> Any:
        if self._recognizer is None:
            raise EngineError("this recognizer session is finished")
        return self._recognizer

    def accept(self, pcm16: bytes) -> None:
        """Feed 8 kHz PCM; Vosk decodes as it goes."""
        recognizer = self._live()
        data = self._carry + pcm16
        usable = len(data) - len(data) % 2
        self._carry = data[usable:]
        if usable and recognizer.AcceptWaveform(data[:usable]):
            self._done_words.extend(_words(recognizer.Result()))

    def partial(self) -> str:
        """Words so far, ``[unk]`` left out."""
        current = json.loads(self._live().PartialResult()).get("partial", "")
        words = [w for w, _ in self._done_words] + str(current).split()
        return " ".join(w for w in words if w != UNK)

    def finish(self) -> Transcript:
        """Flush the decoder and build the transcript; the recognizer is then released."""
        recognizer = self._live()
        self._recognizer = None
        raw = self._done_words + _words(recognizer.FinalResult())
        text, confidence = interpret(raw, self._phrases)
        words = tuple(WordResult(word=w, confidence=c) for w, c in raw)
        return Transcript(text=text, confidence=confidence, words=words, engine=NAME)


def _words(result_json: str) -> list[tuple[str, float]]:
    """(word, conf) pairs of one Vosk result (``SetWords(True)`` gives the ``result`` list)."""
    result = json.loads(result_json)
    return [
        (str(item["word"]).lower(), max(0.0, min(1.0, float(item.get("conf", 0.0)))))
        for item in result.get("result", [])
    ]


class VoskEngine:
    """A loaded Vosk model shared by every call in the process."""

    name = NAME

    def __init__(self, model_path: Path) -> None:
        self.model_path = model_path
        self._model, self.load_seconds = load_model(model_path)
        self.supports_unk = self._model.vosk_model_find_word(UNK) != -1

    def describe(self) -> str:
        """One line for logs and ``ivr doctor``."""
        unk = "with" if self.supports_unk else "without"
        return f"vosk (model {self.model_path}, {unk} [unk])"

    def open(self, grammar: RecognizerGrammar) -> VoskSession:
        """A recognizer limited to the grammar's phrases (plus ``[unk]`` where supported)."""
        phrases = list(grammar.phrases) + ([UNK] if self.supports_unk else [])
        # ensure_ascii=False matters: Vosk does not decode \\uXXXX escapes, so with the
        # default json.dumps every Korean word is "missing" and nothing is recognized.
        spec = json.dumps(phrases, ensure_ascii=False)
        recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE, spec)
        recognizer.SetWords(True)
        return VoskSession(recognizer, grammar.phrases)

    def missing_words(self, words: Iterable[str]) -> list[str]:
        """Words the model's vocabulary lacks (Vosk drops them from grammars with a warning)."""
        return [w for w in words if self._model.vosk_model_find_word(w.lower()) == -1]
