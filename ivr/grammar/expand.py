"""Enumerate every sentence a template accepts (and count them first, to refuse blow-ups)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ivr.grammar.template import Alternatives, Expression, Sequence, SlotRef, Word

SlotChoices = Mapping[str, tuple[tuple[str, Expression], ...]]
"""Parsed slot lists: name -> ((value, parsed spoken template), …)."""


@dataclass(frozen=True)
class Expansion:
    """One accepted word sequence and the slot values it carries."""

    words: tuple[str, ...]
    slots: tuple[tuple[str, str], ...] = ()

    @property
    def phrase(self) -> str:
        """The words joined by single spaces, as recognizers report them."""
        return " ".join(self.words)


class ExpansionError(ValueError):
    """A template refers to something its slot lists cannot satisfy."""


def count(expr: Expression, slots: SlotChoices) -> int:
    """How many word sequences ``expr`` expands to (duplicates included), without expanding."""
    if isinstance(expr, Word):
        return 1
    if isinstance(expr, SlotRef):
        return sum(count(spoken, slots) for _, spoken in _choices(expr, slots))
    if isinstance(expr, Sequence):
        return math.prod(count(item, slots) for item in expr.items)
    return sum(count(option, slots) for option in expr.options) + int(expr.optional)


def expand(expr: Expression, slots: SlotChoices) -> Iterator[Expansion]:
    """Every word sequence ``expr`` accepts, in template order."""
    if isinstance(expr, Word):
        yield Expansion((expr.text,))
    elif isinstance(expr, SlotRef):
        for value, spoken in _choices(expr, slots):
            for inner in expand(spoken, slots):
                yield Expansion(inner.words, ((expr.name, value),))
    elif isinstance(expr, Sequence):
        yield from _expand_sequence(expr.items, slots)
    else:
        if expr.optional:
            yield Expansion(())
        for option in expr.options:
            yield from expand(option, slots)


def _expand_sequence(items: tuple[Expression, ...], slots: SlotChoices) -> Iterator[Expansion]:
    if not items:
        yield Expansion(())
        return
    for head in expand(items[0], slots):
        for tail in _expand_sequence(items[1:], slots):
            yield _join(head, tail)


def _join(head: Expansion, tail: Expansion) -> Expansion:
    names = {name for name, _ in head.slots}
    for name, _ in tail.slots:
        if name in names:
            # Two values for one slot would make the match result ambiguous.
            raise ExpansionError(f"slot list {{{name}}} is used twice in one sentence")
    return Expansion(head.words + tail.words, head.slots + tail.slots)


def _choices(ref: SlotRef, slots: SlotChoices) -> tuple[tuple[str, Expression], ...]:
    try:
        return slots[ref.name]
    except KeyError:
        raise ExpansionError(f"unknown slot list {{{ref.name}}}") from None


def slot_names(expr: Expression) -> Iterator[SlotRef]:
    """Every slot reference in ``expr``, in order."""
    if isinstance(expr, SlotRef):
        yield expr
    elif isinstance(expr, Sequence):
        for item in expr.items:
            yield from slot_names(item)
    elif isinstance(expr, Alternatives):
        for option in expr.options:
            yield from slot_names(option)
