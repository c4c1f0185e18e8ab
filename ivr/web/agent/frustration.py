"""Is the transferred caller likely frustrated? The agent desk's flag, from the turns alone.

Pure and deliberately simple, so agents can predict it and supervisors can tune it: the
thresholds are here, the word list in :mod:`ivr.dialog.anger` (the call's own escalation
uses it too, see :mod:`ivr.dialog.frustration`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ivr.dialog.anger import anger_words
from ivr.dialog.outcomes import FAILED_OUTCOMES

AGENT_REQUESTS = 2
"""Asking for a person this many times (the one that got them here included)."""
FAILED_TURNS = 2
"""Not understood, or silent, this many times in the call (any menu)."""

CONFIRM_MENU = "confirm"
"""Turns on the yes/no menu answer a question about an earlier turn; not counted twice."""


@dataclass(frozen=True)
class Frustration:
    """The flag and why it is raised (one reason per rule that fired)."""

    flagged: bool
    reasons: tuple[str, ...]


def assess(turns: Iterable[Mapping[str, Any]], during_call: Iterable[str] = ()) -> Frustration:
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
    # What the call itself saw adds what the turns cannot show (zeros at a PIN prompt are
    # masked); its words of anger are a subset of the ones found above.
    said_here = any(r.startswith("said:") for r in reasons)
    extra = [r for r in during_call if not (said_here and r.startswith("said:"))]
    reasons = list(dict.fromkeys([*reasons, *extra]))
    return Frustration(bool(reasons), tuple(reasons))
