"""What the two passes say about one utterance, as comparable evidence.

The grammar pass (PocketSphinx with the menu's grammar) always answers with a sentence of the
menu, so agreement with it means little on its own; the free-form pass (Whisper) answers with
what it heard, which may mean nothing here. Each candidate intent comes with the features a
calibrated decision needs (see :mod:`ivr.recognition.decide`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ivr.asr.base import Transcript
from ivr.asr.whisper_engine import DigitReading, FreeTranscript
from ivr.grammar.compiler import CompiledMenu, Match
from ivr.grammar.model import DIGITS_INTENT, DIGITS_SLOT
from ivr.recognition.freetext import clean, digit_run, unloop_digits


@dataclass(frozen=True)
class Evidence:
    """Both passes' readings of one utterance in one menu."""

    grammar_text: str
    grammar_confidence: float
    grammar_match: Match | None
    free_text: str
    """The free-form transcript in grammar spelling ("" without a second pass)."""
    free_raw: str
    free_match: Match | None
    free_logprob: float
    free_no_speech: float
    free_min_token: float
    free_min_digit: float
    """The free-form pass's least sure digit (1.0 without digits)."""
    similarity: float
    """How alike the two transcripts are, 0..1 (letters), for a short answer the free pass
    misspelt ("bellin" for "balance")."""
    has_free: bool
    free_rejected: bool = False
    """The free-form text holds a reject phrase: a near-domain request, never an intent."""
    free_looped: bool = False
    """The free-form digits were cut back from a loop (``2468 2468 …``): a guess."""
    free_digit_probabilities: tuple[float, ...] = ()
    """The probability of each digit the free-form pass wrote, when it wrote them one token
    each (empty otherwise)."""
    digit_readings: tuple[DigitReading, ...] = ()
    """Digits menus: the constrained search's best string per length tried."""
    shared_words: tuple[str, ...] = ()
    """Words of the grammar sentence, telling its intent apart from the menu's others, that
    the free-form pass heard too ("i drop my card somewhere" shares "card" with "i lost my
    card"): the grammar pass is not alone. ("insurance" tells no policy kind from another.)"""

    @property
    def agree(self) -> bool:
        """Both passes mean the same intent (and the same digits in a digits menu)."""
        g, f = self.grammar_match, self.free_match
        return g is not None and f is not None and _same(g, f)

    def best_reading(self) -> DigitReading | None:
        """The constrained digit reading most probable as a whole (its end included, so
        that strings of different lengths compare), or None outside digits menus."""
        return max(self.digit_readings, key=lambda r: r.total, default=None)

    @property
    def free_words(self) -> int:
        return len(self.free_text.split())

    def disputed_digits(self) -> list[float]:
        """Where the grammar pass heard other digits than the free-form pass (strings of the
        same length), how sure the free-form pass was of its own digit at each such place;
        empty when they agree or cannot be compared digit by digit."""
        g, f = self.grammar_match, self.free_match
        if g is None or f is None or g.intent != DIGITS_INTENT or f.intent != DIGITS_INTENT:
            return []
        heard, other = f.slots.get(DIGITS_SLOT, ""), g.slots.get(DIGITS_SLOT, "")
        probabilities = self.free_digit_probabilities
        if len(heard) != len(other) or len(probabilities) != len(heard):
            return []
        pairs = zip(heard, other, strict=True)
        return [probabilities[i] for i, (a, b) in enumerate(pairs) if a != b]


def _same(a: Match, b: Match) -> bool:
    if a.intent != b.intent:
        return False
    if a.intent == DIGITS_INTENT:
        return a.slots.get(DIGITS_SLOT) == b.slots.get(DIGITS_SLOT)
    return True


def free_meaning(menu: CompiledMenu, text: str) -> Match | None:
    """What the free-form text means in ``menu``: a sentence, a digit string (lead-in words
    allowed: "my pin is …"; a fixed-length one cut back from a loop), or an intent spotted
    by its key phrases."""
    found = menu.understand(text)
    if found is not None or menu.menu.digits is None:
        return found
    digits = digit_run(text.split())
    spec = menu.menu.digits
    if digits is not None and spec.min == spec.max:
        digits = unloop_digits(digits, spec.max) or digits
    if digits is not None and spec.min <= len(digits) <= spec.max:
        return Match(DIGITS_INTENT, {DIGITS_SLOT: digits}, "<digits>", text, how="digits")
    return None


def _looped(menu: CompiledMenu, text: str) -> bool:
    spec = menu.menu.digits
    digits = digit_run(text.split()) if spec is not None else None
    return spec is not None and digits is not None and len(digits) > spec.max


def gather(menu: CompiledMenu, grammar: Transcript, free: FreeTranscript | None) -> Evidence:
    """Evidence for ``menu`` from the grammar pass and (if it ran) the free-form pass."""
    grammar_match = menu.match(grammar.text) if grammar.text else None
    if free is None:
        return Evidence(
            grammar_text=grammar.text,
            grammar_confidence=grammar.confidence,
            grammar_match=grammar_match,
            free_text="",
            free_raw="",
            free_match=None,
            free_logprob=0.0,
            free_no_speech=0.0,
            free_min_token=1.0,
            free_min_digit=1.0,
            similarity=0.0,
            has_free=False,
        )
    text = clean(free.text, digits=menu.menu.digits is not None)
    similarity = (
        difflib.SequenceMatcher(None, grammar.text, text).ratio() if grammar.text and text else 0.0
    )
    return Evidence(
        grammar.text,
        grammar.confidence,
        grammar_match,
        text,
        free.text,
        free_meaning(menu, text) if text else None,
        free.avg_logprob,
        free.no_speech_prob,
        free.min_token_probability,
        free.min_digit_probability,
        similarity,
        free_digit_probabilities=free.digit_probabilities,
        has_free=True,
        # A whole sentence of the grammar wins over reject phrases, as in understand().
        free_rejected=bool(text)
        and menu.match(text) is None
        and menu.spot(text).reason == "rejected",
        free_looped=_looped(menu, text),
        digit_readings=free.digit_readings,
        shared_words=_telling_overlap(menu, grammar_match, grammar.text, text),
    )


def _telling_overlap(
    menu: CompiledMenu, grammar_match: Match | None, grammar_text: str, free_text: str
) -> tuple[str, ...]:
    if grammar_match is None:
        return ()
    telling = menu.word_intents
    return tuple(
        word
        for word in content_overlap(grammar_text, free_text)
        if telling.get(word) == frozenset({grammar_match.intent})
    )


FUNCTION_WORDS = frozenset(
    """a an the to my i i'm i'd i've me is it it's what what's that that's this of in on
    for and or can you your please do have has be was with at some want like would could
    just so um uh er yeah yes no hi hello oh""".split()  # noqa: SIM905  (reads as prose)
)
"""Words too common to show that two transcripts heard the same thing."""


def content_overlap(grammar_text: str, free_text: str) -> tuple[str, ...]:
    """The words both transcripts hold, function words aside, in grammar order."""
    heard = set(free_text.split()) - FUNCTION_WORDS
    return tuple(w for w in dict.fromkeys(grammar_text.split()) if w in heard)
