"""Deciding what a caller meant, and how sure to be, from both passes' evidence.

The rule, in the order it is applied (thresholds in :class:`DecisionPolicy`, set on the dev
set and reported on the held-out test set by ``make bench``):

0. **A reject phrase in what the free-form pass heard** (a near-domain request such as
   "balance transfer") → no-match, whatever else was heard.
1. **Both passes mean the same** (same intent; same digits in a digits menu) → sure.
2. **The free-form pass understood something the grammar pass did not**:
   a whole sentence or digit string it heard clearly → fairly sure; an intent spotted by
   its key phrases → confirm, unless it heard it very clearly.
3. **Only the grammar pass understood**: the free-form pass heard no meaning. If its words
   sound like the grammar's sentence (a short answer it misspelt: "bellin" for "balance"),
   the grammar pass is confirmed; otherwise the grammar pass forced out-of-grammar speech
   onto a sentence — a no-match.
4. **Neither** → no-match.

"Sure" maps onto the dialog's confidence bands: act at or above ``IVR_CONFIRM_BELOW``,
confirm between ``IVR_REJECT_BELOW`` and it, no-match below.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    digits_logprob: float = -0.35
    """Digits heard by the free-form pass alone count only at or above this."""


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
    if ev.agree and free is not None:
        # The free-form reading carries what was said (slot values included).
        return Decision(heard, _meaning(free, ev.free_text), SURE, "agree")
    if free is not None:
        if free.intent == DIGITS_INTENT:
            sure = ev.free_logprob >= p.digits_logprob and not ev.free_looped
            spoken = _meaning(free, ev.free_text)
            return Decision(heard, spoken, FAIRLY_SURE if sure else UNSURE, "free-digits")
        if free.how == "keyword":
            clear = ev.free_logprob >= p.keyword_act_logprob
            return Decision(heard, ev.free_text, FAIRLY_SURE if clear else UNSURE, "keyword")
        clear = ev.free_logprob >= p.clear_logprob
        return Decision(heard, ev.free_text, FAIRLY_SURE if clear else UNSURE, "free")
    grammar = ev.grammar_match
    if grammar is not None and grammar.intent != DIGITS_INTENT:
        if ev.similarity >= p.misspelt_similarity:
            return Decision(heard, ev.grammar_text, UNSURE, "misspelt")
        return Decision(heard, "", NOT_UNDERSTOOD, "forced")
    return Decision(heard, "", NOT_UNDERSTOOD, "none")


def _meaning(match: Match, text: str) -> str:
    """The sentence that means ``match`` in its menu: digits as digit words (lead-in words
    and loops gone), anything else the text as heard."""
    if match.intent == DIGITS_INTENT:
        return spell(match.slots.get(DIGITS_SLOT, ""))
    return text
