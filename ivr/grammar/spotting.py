"""Key phrase spotting: which intent a free-form sentence is about, from the phrases inside it.

A grammar's sentences say exactly what a caller may say; callers say more ("uh yeah I need to
check on my car insurance"). An intent's ``keywords`` are templates spotted *anywhere* in what
the free-form recognizer heard, and a menu's ``reject`` phrases are near-domain requests that
must never trigger an intent ("open an account", "balance transfer"). The rule is simple so
ops can predict it, and :func:`explain` says which phrase decided:

1. a reject phrase anywhere → no match;
2. otherwise the intent whose key phrases cover the most words wins;
3. a tie between intents → no match (the caller is asked again rather than guessed at).

In a key or reject phrase, ``...`` stands for up to :data:`MAX_GAP` other words, so
``"card ... (lost | stolen)"`` spots "my credit card has been reported as lost".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ivr.grammar.template import GAP

MAX_GAP = 4
"""Most words a gap stands for: enough for "card has been reported as lost", few enough that
two unrelated halves of a long sentence do not make a phrase."""


@dataclass(frozen=True)
class KeyPhrase:
    """One expanded key phrase (or reject phrase) and where it comes from."""

    words: tuple[str, ...]
    intent: str | None
    """The intent it signals; None for a reject phrase."""
    template: str
    file: str
    line: int
    slots: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Found:
    """A key phrase found in the sentence: the positions of the words it matched."""

    phrase: KeyPhrase
    positions: tuple[int, ...]

    @property
    def start(self) -> int:
        return self.positions[0]

    @property
    def size(self) -> int:
        """Words matched (gaps not counted): what ranks phrases against each other."""
        return len(self.positions)


def _match(words: list[str], at: int, pattern: tuple[str, ...]) -> Iterator[tuple[int, ...]]:
    """Positions of every way ``pattern`` matches ``words`` starting exactly at ``at``."""
    if not pattern:
        yield ()
        return
    head, rest = pattern[0], pattern[1:]
    if head == GAP:
        for skip in range(MAX_GAP + 1):
            yield from _match(words, at + skip, rest)
        return
    if at < len(words) and words[at] == head:
        for tail in _match(words, at + 1, rest):
            yield (at, *tail)


@dataclass(frozen=True)
class Spot:
    """What spotting made of one sentence."""

    intent: str | None
    slots: Mapping[str, str] = field(default_factory=dict)
    found: tuple[Found, ...] = ()
    """Every key and reject phrase found, in sentence order."""
    reason: str = "no key phrase"
    """Why: ``keyword``, ``rejected``, ``ambiguous`` or ``no key phrase``."""

    @property
    def deciding(self) -> Found | None:
        """The longest phrase of the winning intent (or the reject phrase that won)."""
        if self.reason == "rejected":
            return next((f for f in self.found if f.phrase.intent is None), None)
        hits = [f for f in self.found if f.phrase.intent == self.intent]
        return max(hits, key=lambda f: f.size, default=None)


class Spotter:
    """The key and reject phrases of one menu, ready to scan sentences. Immutable."""

    def __init__(self, phrases: Iterable[KeyPhrase]) -> None:
        by_first: dict[str, list[KeyPhrase]] = {}
        for phrase in phrases:
            if phrase.words:
                by_first.setdefault(phrase.words[0], []).append(phrase)
        self._by_first = {word: tuple(found) for word, found in by_first.items()}

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def phrases(self) -> list[KeyPhrase]:
        """Every phrase, grouped by first word."""
        return [p for group in self._by_first.values() for p in group]

    def find(self, words: list[str]) -> list[Found]:
        """Every occurrence of every phrase in ``words``."""
        found = []
        for start, word in enumerate(words):
            for phrase in self._by_first.get(word, ()):
                match = next(_match(words, start, phrase.words), None)
                if match is not None:
                    found.append(Found(phrase, match))
        return found

    def spot(self, words: list[str]) -> Spot:
        """Apply the rule of this module to one normalized sentence."""
        found = tuple(self.find(words))
        if any(f.phrase.intent is None for f in found):
            return Spot(None, found=found, reason="rejected")
        covered: dict[str, set[int]] = {}
        for hit in found:
            assert hit.phrase.intent is not None
            covered.setdefault(hit.phrase.intent, set()).update(hit.positions)
        if not covered:
            return Spot(None, found=found)
        ranked = sorted(covered.items(), key=lambda item: len(item[1]), reverse=True)
        if len(ranked) > 1 and len(ranked[0][1]) == len(ranked[1][1]):
            return Spot(None, found=found, reason="ambiguous")
        intent = ranked[0][0]
        best = max((f for f in found if f.phrase.intent == intent), key=lambda f: f.size)
        return Spot(intent, dict(best.phrase.slots), found, "keyword")


def explain(spot: Spot) -> str:
    """One line for ops: why spotting decided as it did."""
    deciding = spot.deciding
    where = (
        f"'{deciding.phrase.template}' at {deciding.phrase.file}:{deciding.phrase.line}"
        if deciding
        else ""
    )
    if spot.reason == "rejected":
        return f"rejected: reject phrase {where}"
    if spot.reason == "ambiguous":
        intents = sorted({f.phrase.intent or "" for f in spot.found})
        return f"ambiguous: key phrases of {', '.join(intents)} cover as many words"
    if spot.intent is None:
        return "no key phrase of this menu in the sentence"
    return f"key phrase {where}"
