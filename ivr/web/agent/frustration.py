"""Is the transferred caller likely frustrated? The agent desk's flag, from the turns alone.

Pure and deliberately simple, so agents can predict it and supervisors can tune it: the
word list and the thresholds are all here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ivr.dialog.outcomes import FAILED_OUTCOMES

AGENT_REQUESTS = 2
"""Asking for a person this many times (the one that got them here included)."""
FAILED_TURNS = 2
"""Not understood, or silent, this many times in the call (any menu)."""

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

CONFIRM_MENU = "confirm"
"""Turns on the yes/no menu answer a question about an earlier turn; not counted twice."""

_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Frustration:
    """The flag and why it is raised (one reason per rule that fired)."""

    flagged: bool
    reasons: tuple[str, ...]


def anger_words(text: str) -> list[str]:
    """The anger words and phrases in ``text``, in order of first appearance."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    found = [w for w in words if w in ANGER_WORDS]
    spaced = " " + " ".join(words) + " "
    found += [p for p in ANGER_PHRASES if f" {p} " in spaced]
    return list(dict.fromkeys(found))


def assess(turns: Iterable[Mapping[str, Any]]) -> Frustration:
    """Flag a caller who asked for a person repeatedly, kept failing, or sounded angry.

    ``turns`` are the store's turn records (``menu``, ``transcript``, ``intent``,
    ``outcome``); masked PIN transcripts (``****``) simply contain no words.
    """
    turns = list(turns)
    agent_requests = sum(
        1 for t in turns if t.get("intent") == "agent" and str(t.get("menu") or "") != CONFIRM_MENU
    )
    failures = sum(1 for t in turns if t.get("outcome") in FAILED_OUTCOMES)
    heard = [w for t in turns for w in anger_words(str(t.get("transcript") or ""))]
    reasons: list[str] = []
    if agent_requests >= AGENT_REQUESTS:
        reasons.append(f"asked for an agent {agent_requests} times")
    if failures >= FAILED_TURNS:
        reasons.append(f"not understood or silent {failures} times")
    if heard:
        reasons.append("said: " + ", ".join(f"“{w}”" for w in dict.fromkeys(heard)))
    return Frustration(bool(reasons), tuple(reasons))
