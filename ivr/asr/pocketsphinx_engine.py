"""PocketSphinx engine: the embedded fallback, US English, JSGF grammars.

Decoders are not thread-safe and each costs ~0.15 s and ~27 MB to load, so the engine keeps
a pool: a session checks one decoder out for one utterance and returns it in ``finish``.
Every decoder caches the grammar searches it has compiled, keyed by ``RecognizerGrammar.key``.

Confidence: with ``bestpath=False`` (more accurate on grammars here) PocketSphinx builds no
lattice, so ``hyp.prob`` is always 1.0 and says nothing. We use the per-word segment
posteriors (``Segment.prob``, already linear 0..1 in the Python binding) and report their
minimum, as ``Transcript.confidence`` asks. It is a weak signal: in-grammar words scored
0.75–0.95 and so did a wrong word forced by an out-of-grammar utterance. The grammar search
itself rejects speech far from the grammar by returning no hypothesis (confidence 0).
"""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pocketsphinx

from ivr.asr.base import RecognizerGrammar, Transcript, WordResult
from ivr.asr.dsp import TelephoneTo16k
from ivr.asr.errors import EngineError

NAME = "pocketsphinx"
_FILLERS = frozenset({"<s>", "</s>", "<sil>", "(NULL)", "[NOISE]", "++NOISE++"})
_BLOCK_BYTES = 3200
"""100 ms at 16 kHz. The decoder sees fixed blocks whatever the caller's chunking: live
cepstral normalisation updates per ``process_raw`` call, so feeding 20 ms frames directly
gave (slightly) different scores than feeding the whole utterance."""
_MAX_SEARCHES_PER_DECODER = 32
"""Grammars compiled per decoder before the least recently used one is dropped."""

TELEPHONE_CMN_PRIOR = (
    "51.2183,14.5924,-27.7879,23.2398,-16.8731,-16.8821,1.8619,"
    "-32.5951,-10.1983,-13.892,-16.946,-3.69179,-17.9631"
)
"""Cepstral mean of speech after the telephone channel (300–3400 Hz, 8 kHz μ-law,
upsampled): what the live mean converged to after decoding a dozen prompts of the
shipped grammars sent through ``ivr.audio.channel.telephone_channel``."""


def default_model_paths() -> tuple[Path, Path]:
    """The US-English acoustic model and dictionary shipped inside the pocketsphinx wheel."""
    root = Path(pocketsphinx.get_model_path()) / "en-us"
    return root / "en-us", root / "cmudict-en-us.dict"


def _base_word(entry: str) -> str:
    """``read(2)`` → ``read``: pronunciation variants are the same word."""
    paren = entry.find("(")
    return entry[:paren] if paren > 0 else entry


def load_pronunciations(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A CMU-format dictionary as ``word → [(entry, phones)]`` (``read → [("read", "R IY D"),
    ("read(2)", "R EH D")]``), words in lower case."""
    entries: dict[str, list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            parts = line.split(None, 1)
            if len(parts) == 2:
                entry = parts[0].lower()
                entries.setdefault(_base_word(entry), []).append((entry, parts[1].strip()))
    return entries


class _PooledDecoder:
    """One decoder plus the names of the grammar searches already compiled into it."""

    def __init__(
        self, decoder: Any, pronunciations: dict[str, list[tuple[str, str]]] | None = None
    ) -> None:
        self.decoder = decoder
        self._searches: OrderedDict[str, str] = OrderedDict()
        self._serial = itertools.count()
        self._pronunciations = pronunciations
        """When set, the decoder started with a stub dictionary: grammar words are added
        from this on first use (see ``PocketSphinxEngine._new_decoder``)."""
        self._known: set[str] = set()

    def _add_words(self, grammar: RecognizerGrammar) -> None:
        if self._pronunciations is None:
            return
        words = grammar.words or frozenset(w for p in grammar.phrases for w in p.split())
        entries = [
            entry
            for word in sorted(words)
            if word.lower() not in self._known
            for entry in self._pronunciations.get(word.lower(), [])
            if self.decoder.lookup_word(entry[0]) is None  # the stub's own entries
        ]
        for i, (entry, phones) in enumerate(entries):
            # Rebuild the decoder's word tables once, after the last word.
            self.decoder.add_word(entry, phones, i == len(entries) - 1)
        self._known.update(w.lower() for w in words)

    def activate(self, grammar: RecognizerGrammar) -> None:
        """Make ``grammar`` the active search, compiling it on first use."""
        name = self._searches.get(grammar.key)
        if name is None:
            self._add_words(grammar)
            # Our own names: grammar keys are hashes whose characters we do not control.
            name = f"grammar{next(self._serial)}"
            try:
                self.decoder.add_jsgf_string(name, grammar.jsgf)
            except ValueError as exc:
                raise EngineError(
                    f"PocketSphinx could not compile grammar {grammar.key}: {exc} "
                    "(check its JSGF and that every word is in the dictionary)"
                ) from exc
            self._searches[grammar.key] = name
            self._evict_if_full()
        else:
            self._searches.move_to_end(grammar.key)
        self.decoder.activate_search(name)

    def start_utterance(self) -> None:
        """Begin decoding from a clean front end and the telephone-channel cepstral mean.

        A pooled decoder must not remember its earlier utterances: that made one caller's
        audio change how the next caller on the decoder is heard (measured: "main menu"
        heard as "an agent" or "goodbye" depending on what the decoder decoded before).
        Resetting the cepstral mean alone was not enough; the feature extractor keeps
        state of its own, so it is rebuilt (about 0.06 ms). The model's own initial mean
        is wideband and measured worse on phone audio; a fixed telephone prior measured
        slightly more accurate on 63 utterances at three speaking rates (50 vs 47 correct).
        """
        self.decoder.reinit_feat()
        self.decoder.set_cmn(TELEPHONE_CMN_PRIOR)
        self.decoder.start_utt()

    def _evict_if_full(self) -> None:
        while len(self._searches) > _MAX_SEARCHES_PER_DECODER:
            _, old = self._searches.popitem(last=False)
            self.decoder.remove_search(old)


class PocketSphinxSession:
    """One utterance on a checked-out decoder; audio is decoded as it arrives."""

    def __init__(self, engine: PocketSphinxEngine, pooled: _PooledDecoder) -> None:
        self._engine = engine
        self._pooled: _PooledDecoder | None = pooled
        self._frontend = TelephoneTo16k(engine.dither_seed, engine.dither_amplitude)
        self._pending = bytearray()
        pooled.start_utterance()

    def _decoder(self) -> Any:
        if self._pooled is None:
            raise EngineError("this recognizer session is finished")
        return self._pooled.decoder

    def accept(self, pcm16: bytes) -> None:
        """Upsample, dither and decode every whole block now, so ``finish`` has little to do."""
        decoder = self._decoder()
        self._pending += self._frontend.process(pcm16)
        whole = len(self._pending) - len(self._pending) % _BLOCK_BYTES
        for offset in range(0, whole, _BLOCK_BYTES):
            decoder.process_raw(bytes(self._pending[offset : offset + _BLOCK_BYTES]))
        del self._pending[:whole]

    def decoded_ms(self) -> int:
        """How much of the audio accepted so far the decoder has processed (10 ms frames)."""
        return int(self._decoder().n_frames()) * 10

    def partial(self) -> str:
        """The best path so far (may change until ``finish``)."""
        hyp = self._decoder().hyp()
        return _clean_text(hyp.hypstr) if hyp is not None else ""

    def finish(self) -> Transcript:
        """End the utterance, read the result and hand the decoder back to the pool."""
        decoder = self._decoder()
        self._pooled, pooled = None, self._pooled
        try:
            if self._pending:
                decoder.process_raw(bytes(self._pending))
                self._pending.clear()
            decoder.end_utt()
            return _transcript(decoder)
        finally:
            self._engine._release(pooled)


def _clean_text(hypstr: str) -> str:
    return " ".join(hypstr.lower().split())


def _transcript(decoder: Any) -> Transcript:
    hyp = decoder.hyp()
    text = _clean_text(hyp.hypstr) if hyp is not None else ""
    if not text:
        return Transcript(text="", confidence=0.0, engine=NAME)
    words = tuple(
        WordResult(word=_base_word(seg.word).lower(), confidence=_unit(seg.prob))
        for seg in decoder.seg()
        if seg.word not in _FILLERS and not seg.word.startswith("[")
    )
    confidence = min((w.confidence for w in words), default=0.0)
    return Transcript(text=text, confidence=confidence, words=words, engine=NAME)


def _unit(value: float) -> float:
    """Clamp to 0..1: log-math round-off gives 1.0001 for certain words."""
    return max(0.0, min(1.0, float(value)))


class PocketSphinxEngine:
    """The loaded US-English model; shared by every call in the process."""

    name = NAME

    def __init__(
        self,
        hmm: Path | None = None,
        dictionary: Path | None = None,
        *,
        max_idle_decoders: int = 64,
        dither_amplitude: float = 20.0,
        dither_seed: int = 0,
    ) -> None:
        default_hmm, default_dict = default_model_paths()
        self.hmm = hmm or default_hmm
        self.dictionary = dictionary or default_dict
        self.dither_amplitude = dither_amplitude
        # One fixed seed for every session: the same audio always gives the same transcript.
        self.dither_seed = dither_seed
        # Decoders are kept up to the peak of simultaneous utterances seen (capped): a busy
        # server must not load one per utterance. Measured under load (bench/, 50 calls)
        # with a cap of 4, loading decoders took 58% of the server's CPU, and it holds the
        # event loop up while it runs. Memory stays what the peak needed (~5 MB each).
        self._max_idle = max_idle_decoders
        self._idle: list[_PooledDecoder] = []
        self._lock = threading.Lock()
        self._words: frozenset[str] | None = None
        started = time.perf_counter()
        # The full dictionary (134k words) is 90% of a decoder's load time and memory
        # (measured: 0.16 s and 27 MB per decoder with it, 0.015 s and 5 MB with a stub).
        # Decoders start from a stub and get each grammar's words added on first use, from
        # pronunciations parsed once per process; the search, and so every result, is the
        # same since a grammar search only ever uses its own words.
        self._pronunciations = load_pronunciations(self.dictionary)
        self._stub_dictionary = self._write_stub_dictionary()
        # Load one decoder now so a broken install fails at start-up, not on the first call.
        self._idle.append(self._new_decoder())
        self.load_seconds = time.perf_counter() - started

    def describe(self) -> str:
        """One line for logs and ``ivr doctor``."""
        return f"pocketsphinx (model {self.hmm}, {len(self._idle)} idle decoder(s))"

    def _write_stub_dictionary(self) -> Path:
        # One real entry: the decoder refuses an empty dictionary.
        fd, name = tempfile.mkstemp(prefix="ivr-ps-", suffix=".dict")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for entry, phones in self._pronunciations.get("a", [("a", "AH")]):
                handle.write(f"{entry} {phones}\n")
        stub = Path(name)
        weakref.finalize(self, stub.unlink, missing_ok=True)
        return stub

    def _new_decoder(self) -> _PooledDecoder:
        if not (self.hmm / "mdef").exists() or not self.dictionary.exists():
            raise EngineError(
                f"PocketSphinx model not found at {self.hmm} / {self.dictionary}; "
                "reinstall the pocketsphinx package"
            )
        try:
            decoder = pocketsphinx.Decoder(
                hmm=os.fspath(self.hmm),
                dict=os.fspath(self._stub_dictionary),  # grammar words are added on use
                lm=None,  # grammars only; skipping the default LM saves load time and memory
                samprate=16000,  # the model's rate: 8 kHz input is upsampled in dsp.py
                bestpath=False,  # measured: better exact-match accuracy on grammars
                loglevel="FATAL",
            )
        except (RuntimeError, ValueError) as exc:
            raise EngineError(f"PocketSphinx could not load its model: {exc}") from exc
        return _PooledDecoder(decoder, self._pronunciations)

    def open(self, grammar: RecognizerGrammar) -> PocketSphinxSession:
        """Check out a decoder (loading a new one if all are busy) and start an utterance."""
        with self._lock:
            pooled = self._idle.pop() if self._idle else None
        if pooled is None:
            pooled = self._new_decoder()
        try:
            pooled.activate(grammar)
        except EngineError:
            self._release(pooled)
            raise
        return PocketSphinxSession(self, pooled)

    def _release(self, pooled: _PooledDecoder | None) -> None:
        """Return a decoder to the pool; surplus ones are dropped to cap memory."""
        if pooled is None:
            return
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append(pooled)

    def missing_words(self, words: Iterable[str]) -> list[str]:
        """The words not in the pronunciation dictionary (compared in lower case)."""
        known = self._dictionary_words()
        return [w for w in words if w.lower() not in known]

    def _dictionary_words(self) -> frozenset[str]:
        # Parsed once on demand (~0.15 s): checking grammars must not need a decoder.
        if self._words is None:
            self._words = frozenset(self._pronunciations)
        return self._words
