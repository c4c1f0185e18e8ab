"""Words of anger in what a caller said: one list for the live escalation and the desk.

Pure and deliberately simple, so agents can predict it and supervisors can tune it.
"""

from __future__ import annotations

import re

ANGER_WORDS = frozenset(
    {
        "angry",
        "annoyed",
        "awful",
        "complain",
        "complaint",
        "damn",
        "disgusting",
        "frustrated",
        "frustrating",
        "furious",
        "hate",
        "hell",
        "idiot",
        "joke",
        "pathetic",
        "ridiculous",
        "stupid",
        "terrible",
        "unacceptable",
        "useless",
        "worst",
    }
)
"""Single words that, said to a menu, mean the caller is upset."""
ANGER_PHRASES = ("fed up", "sick of", "sick and tired", "waste of time", "rip off")
"""Multi-word expressions with the same meaning."""

AMBIGUOUS_WORDS = frozenset({"complain", "complaint", "hate", "hell", "joke"})
"""Words that also come in calm requests ("tell me a joke", "I hate to bother you", "what
the hell is my balance" aside): enough for the desk's flag after the fact, not for cutting
self-service short in the middle of a call."""

_WORD = re.compile(r"[a-z']+")


def anger_words(text: str, *, live: bool = False) -> list[str]:
    """The anger words and phrases in ``text``, in order of first appearance; ``live``
    leaves out :data:`AMBIGUOUS_WORDS` (what the call itself acts on)."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    skip = AMBIGUOUS_WORDS if live else frozenset()
    found = [w for w in words if w in ANGER_WORDS and w not in skip]
    spaced = " " + " ".join(words) + " "
    found += [p for p in ANGER_PHRASES if f" {p} " in spaced]
    return list(dict.fromkeys(found))
