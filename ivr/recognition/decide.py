"""Deciding what a caller meant, and how sure to be, from both passes' evidence.

The rule, in the order it is applied (thresholds in :class:`DecisionPolicy`, set on the dev
set and reported on the held-out test set by ``make bench``):

0. **A reject phrase in what the free-form pass heard** (a near-domain request such as
   "balance transfer") → no-match, whatever else was heard.
1. **Digits** (a PIN, an account number): sure when both passes heard the same digits and
   the free-form pass heard them reasonably clearly; fairly sure when the free-form pass
   was sure of every digit — very sure of any the grammar pass heard otherwise — and did
   not loop; otherwise unsure — a PIN then goes to the keypad and never counts as an
   attempt. An account number is read back either way, as the constrained digit search
   (:meth:`WhisperEngine.read_digits`) found it (it drops no digits); when that search
   finds a string of another length more probable, the digits are unsure.
2. **Both passes mean the same intent** → sure.
3. **The free-form pass understood something the grammar pass did not**:
   a whole sentence it heard clearly → fairly sure; an intent spotted by its key phrases →
   confirm, unless it heard it very clearly.
4. **Only the grammar pass understood**: the free-form pass heard no meaning. If its words
   sound like the grammar's sentence (a short answer it misspelt: "bellin" for "balance") or
   share a content word with it ("i drop my card" and "i lost my card"), the grammar pass is
   confirmed; so is a short answer (a sentence of one or two words, what the prompt asks
   for: "agent") when the free-form pass heard something as short and unsure ("hey good") —
   on short answers the grammar is the better listener. Otherwise the grammar pass forced
   out-of-grammar speech onto a sentence — a no-match.
5. **Neither** → no-match.

"Sure" maps onto the dialog's confidence bands: act at or above ``IVR_CONFIRM_BELOW``,
confirm between ``IVR_REJECT_BELOW`` and it, no-match below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ivr.grammar.compiler import Match
from ivr.grammar.model import DIGITS_INTENT, DIGITS_SLOT
from ivr.recognition.evidence import Evidence
from ivr.recognition.freetext import spell

SURE = 0.95
FAIRLY_SURE = 0.8
UNSURE = 0.5
"""Confirmed: the dialog asks "did you say …?" (between the default reject and act levels)."""
NOT_UNDERSTOOD = 0.0


@dataclass(frozen=True)
class DecisionPolicy:
    """Thresholds of the combination rule (log-probabilities are per token)."""

    clear_logprob: float = -0.5
    """The free-form pass heard a sentence clearly at or above this mean log-probability."""
    keyword_act_logprob: float = -0.25
    """A key phrase alone is acted on only when heard this clearly; else it is confirmed."""
    max_no_speech: float = 0.5
    """Above this the free-form pass thinks there was no speech: its words count for nothing."""
    misspelt_similarity: float = 0.6
    """Free-form words at least this alike to the grammar sentence are the same words."""
    short_answer_words: int = 2
    """A grammar sentence this short is a short answer ...
    (on the dev set: 42 more in-scope answers right, 42 wrong and 94 out-of-scope
    utterances confirmed instead of rejected — none acted on)"""
    short_heard_words: int = 3
    """... if the free-form pass heard at most this many words ..."""
    short_unsure_logprob: float = -0.5
    """... below this mean log-probability."""
    escape_intents: frozenset[str] = frozenset({"agent"})
    """Short answers of these intents are confirmed however sure the free-form pass was of
    its own (meaningless) words: a caller asking for a person must never be turned away
    ("agent" said by espeak's en-us voice is "Hey, good." to Whisper, clearly)."""
    digits_logprob: float = -0.5
    """Digits heard by the free-form pass alone count only at or above this ..."""
    digits_min_probability: float = 0.4
    """... with every digit token at least this probable ..."""
    digits_disputed_probability: float = 0.8
    """... and every digit the grammar pass heard otherwise at least this probable. On the
    dev split's spoken PINs (synthetic, then the dev human speakers) these three accept 91
    and 10 right PINs and no wrong one; without the last, 132 and 15 right but 7 wrong."""
    digits_agree_logprob: float = -0.7
    """Digits both passes heard alike still need the free-form pass this clear (3 dev PINs
    were misheard alike by both, at about -0.8)."""
    reading_margin: float = math.inf
    """Digits the free transcript and the constrained search both wrote would also count
    when the search's best string led its runner-up by at least this (log-probability) ...
    Off. At 2.0, chosen on the dev split (24 more synthetic and 3 more human PINs right
    there, none wrong), the held-out splits got 3.3 and 6.8 points more PINs right but
    counted wrong PINs 0.5 % → 1.4 % (synthetic) and 2.3 % → 4.5 % (human): a wrong PIN
    moves a customer towards lockout, so the rule is not worth it (BENCHMARKS.md §6)."""
    reading_score: float = -3.0
    """... and was at least this probable (log, summed over the digits)."""


@dataclass(frozen=True)
class Decision:
    """What the dialog is told about one utterance."""

    text: str
    """What the caller said, as well as it is known (the free-form transcript when there is
    one): recorded with the turn and shown to agents."""
    meaning: str
    """The sentence to interpret in the menu: a grammar sentence, or the free-form text
    whose key phrases or digits carry the meaning ("" for a no-match)."""
    confidence: float
    reason: str
    """Which rule decided (``agree``, ``free``, ``keyword``, ``grammar``, ``forced`` …)."""


def decide(ev: Evidence, policy: DecisionPolicy | None = None) -> Decision:
    """Apply the rule of this module to one utterance's evidence."""
    p = policy or DecisionPolicy()
    if not ev.has_free:
        return Decision(ev.grammar_text, ev.grammar_text, ev.grammar_confidence, "grammar-only")
    heard = ev.free_text or ev.grammar_text
    speech = ev.free_no_speech <= p.max_no_speech
    if speech and ev.free_rejected:
        return Decision(heard, "", NOT_UNDERSTOOD, "rejected")
    free = ev.free_match if speech else None
    if free is not None and free.intent == DIGITS_INTENT:
        return _digits(ev, free, heard, p)
    if ev.agree and free is not None:
        # The free-form reading carries what was said (slot values included).
        return Decision(heard, _meaning(free, ev.free_text), SURE, "agree")
    if free is not None:
        if free.how == "keyword":
            clear = ev.free_logprob >= p.keyword_act_logprob
            return Decision(heard, ev.free_text, FAIRLY_SURE if clear else UNSURE, "keyword")
        clear = ev.free_logprob >= p.clear_logprob
        return Decision(heard, ev.free_text, FAIRLY_SURE if clear else UNSURE, "free")
    grammar = ev.grammar_match
    if grammar is not None and grammar.intent != DIGITS_INTENT:
        if ev.similarity >= p.misspelt_similarity or ev.shared_words:
            return Decision(heard, ev.grammar_text, UNSURE, "misspelt")
        if _short_answer_misheard(ev, p):
            return Decision(heard, ev.grammar_text, UNSURE, "short")
        return Decision(heard, "", NOT_UNDERSTOOD, "forced")
    return Decision(heard, "", NOT_UNDERSTOOD, "none")


def _meaning(match: Match, text: str) -> str:
    """The sentence that means ``match`` in its menu: digits as digit words (lead-in words
    and loops gone), anything else the text as heard."""
    if match.intent == DIGITS_INTENT:
        return spell(match.slots.get(DIGITS_SLOT, ""))
    return text


def _digits(ev: Evidence, free: Match, heard: str, p: DecisionPolicy) -> Decision:
    """A digit string counts (a PIN attempt) only when heard surely; otherwise it is
    unsure: a PIN goes to the keypad, an account number is read back."""
    spoken = _meaning(free, ev.free_text)
    reading = ev.best_reading()
    if reading is not None and len(reading.digits) != len(free.slots.get(DIGITS_SLOT, "")):
        # The search found a string of another length more probable as a whole: the free
        # transcript dropped (or added) digits. Never counted; read back if the menu does.
        return Decision(heard, spell(reading.digits), UNSURE, "other-length")
    if ev.agree and ev.free_logprob >= p.digits_agree_logprob:
        return Decision(heard, spoken, SURE, "agree")
    clear = (
        ev.free_logprob >= p.digits_logprob
        and ev.free_min_digit >= p.digits_min_probability
        and all(
            probability >= p.digits_disputed_probability for probability in ev.disputed_digits()
        )
        and not ev.free_looped
    )
    if clear:
        return Decision(heard, spoken, FAIRLY_SURE, "free-digits")
    if (
        reading is not None
        and reading.digits == free.slots.get(DIGITS_SLOT)
        and reading.margin >= p.reading_margin
        and reading.score >= p.reading_score
    ):
        return Decision(heard, spoken, FAIRLY_SURE, "checked-digits")
    # Unsure. What is read back (an account number) is the constrained reading: free
    # transcription drops digits ("7 3 5 0 4 7 8 6" for twelve), the search cannot.
    best = spell(reading.digits) if reading is not None else spoken
    return Decision(heard, best, UNSURE, "unsure-digits")


def _short_answer_misheard(ev: Evidence, p: DecisionPolicy) -> bool:
    if len(ev.grammar_text.split()) > p.short_answer_words:
        return False
    if ev.free_words > p.short_heard_words:
        return False
    escape = ev.grammar_match is not None and ev.grammar_match.intent in p.escape_intents
    return escape or ev.free_logprob < p.short_unsure_logprob


def after_rehearing(first: Decision, again: Decision) -> Decision:
    """The decision once a not-understood utterance was heard a second time (faster): the
    second hearing's when it understood something — confirmed or acted on by the same rules
    as any other — else the first no-match."""
    if first.meaning or not again.meaning:
        return first
    return replace(again, reason=f"{again.reason}, re-heard faster")
