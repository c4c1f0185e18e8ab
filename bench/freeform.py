"""The same engines without a grammar: free-form decoding, then text matching.

* PocketSphinx with its bundled US-English trigram model (``en-us.lm.bin``) instead of a
  JSGF search; same front end (upsampling, dither, telephone CMN prior) as the app.
* Vosk with no phrase list: the model's full language model.

The transcript is then mapped to an intent by :func:`spot`: the menu's exact matcher on the
whole text, else on the longest run of words that is a menu phrase ("uh what is my balance
please" → "what is my balance"), which is what a text-matching front end would do.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pocketsphinx
import vosk

from ivr.asr.base import RecognizerGrammar, Transcript, WordResult
from ivr.asr.pocketsphinx_engine import (
    PocketSphinxEngine,
    PocketSphinxSession,
    _PooledDecoder,
)
from ivr.asr.vosk_engine import UNK, VoskEngine
from ivr.grammar import CompiledMenu, Match


class FreeFormPocketSphinx(PocketSphinxEngine):
    """PocketSphinx decoding with the bundled language model; the grammar is ignored."""

    name = "pocketsphinx-free"

    def _new_decoder(self) -> _PooledDecoder:
        model = Path(pocketsphinx.get_model_path()) / "en-us"
        decoder = pocketsphinx.Decoder(
            hmm=os.fspath(self.hmm),
            dict=os.fspath(self.dictionary),
            lm=os.fspath(model / "en-us.lm.bin"),
            samprate=16000,
            bestpath=False,
            loglevel="FATAL",
        )
        return _PooledDecoder(decoder)

    def open(self, grammar: RecognizerGrammar) -> PocketSphinxSession:
        """A session on the language-model search (the default search of the decoder)."""
        with self._lock:
            pooled = self._idle.pop() if self._idle else None
        return PocketSphinxSession(self, pooled or self._new_decoder())


class FreeVoskSession:
    """One utterance on an unconstrained ``KaldiRecognizer``."""

    def __init__(self, recognizer: Any) -> None:
        self._recognizer = recognizer
        self._words: list[tuple[str, float]] = []

    def accept(self, pcm16: bytes) -> None:
        """Feed 8 kHz PCM (even-length chunks)."""
        if self._recognizer.AcceptWaveform(pcm16):
            self._words += _words(self._recognizer.Result())

    def partial(self) -> str:
        """Not used by the benchmark."""
        return ""

    def finish(self) -> Transcript:
        """All words, ``[unk]`` dropped; confidence is the lowest word confidence."""
        raw = self._words + _words(self._recognizer.FinalResult())
        known = [(w, c) for w, c in raw if w != UNK]
        text = " ".join(w for w, _ in known)
        conf = min((c for _, c in known), default=0.0)
        words = tuple(WordResult(w, c) for w, c in known)
        return Transcript(text=text, confidence=conf, words=words, engine="vosk-free")


def _words(result_json: str) -> list[tuple[str, float]]:
    result = json.loads(result_json)
    return [(str(i["word"]).lower(), float(i.get("conf", 0.0))) for i in result.get("result", [])]


class FreeFormVosk:
    """Vosk with no phrase list, on an already loaded :class:`VoskEngine`'s model."""

    name = "vosk-free"

    def __init__(self, engine: VoskEngine) -> None:
        self._model = engine._model

    def open(self, grammar: RecognizerGrammar) -> FreeVoskSession:
        """An unconstrained recognizer (the grammar is ignored)."""
        recognizer = vosk.KaldiRecognizer(self._model, 8000)
        recognizer.SetWords(True)
        return FreeVoskSession(recognizer)


def spot(menu: CompiledMenu, text: str) -> Match | None:
    """The menu's match for the whole text, else for its longest word run that matches."""
    found = menu.match(text)
    if found is not None or not text:
        return found
    words = text.split()
    for size in range(len(words) - 1, 0, -1):
        for start in range(0, len(words) - size + 1):
            found = menu.match(" ".join(words[start : start + size]))
            if found is not None:
                return found
    return None
