"""Render a menu's templates as a JSGF grammar (public rule ``<main>``) for PocketSphinx."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ivr.grammar.digits import DIGIT_WORDS
from ivr.grammar.model import DigitSpec
from ivr.grammar.template import Expression, Sequence, SlotRef, Word


def render(expr: Expression) -> str:
    """One expression in JSGF syntax; slot references become ``<slot_name>`` rules."""
    if isinstance(expr, Word):
        return expr.text
    if isinstance(expr, SlotRef):
        return f"<slot_{expr.name}>"
    if isinstance(expr, Sequence):
        return " ".join(render(item) for item in expr.items)
    body = " | ".join(render(option) for option in expr.options)
    return f"[{body}]" if expr.optional else f"({body})"


def _alternatives(exprs: Iterable[Expression]) -> str:
    return " | ".join(f"({render(expr)})" for expr in exprs)


def digits_rule(spec: DigitSpec) -> str:
    """``<digit>`` exactly ``min`` times, then up to ``max - min`` more (JSGF has no {n,m})."""
    text = " ".join(["<digit>"] * spec.min)
    optional = ""
    for _ in range(spec.max - spec.min):
        optional = f" [<digit>{optional}]"
    return text + optional


def grammar_text(
    name: str,
    intents: Mapping[str, list[Expression]],
    slots: Mapping[str, list[Expression]],
    digits: DigitSpec | None,
) -> str:
    """A complete JSGF document: one rule per intent and slot list, ``<main>`` choosing one."""
    rules = [f"<intent_{intent_id}>" for intent_id in intents]
    body = []
    if digits is not None:
        rules.insert(0, "<digits>")
        body.append(f"<digits> = {digits_rule(digits)};")
        body.append(f"<digit> = {' | '.join(DIGIT_WORDS)};")
    for intent_id, exprs in intents.items():
        body.append(f"<intent_{intent_id}> = {_alternatives(exprs)};")
    for slot_name, exprs in slots.items():
        body.append(f"<slot_{slot_name}> = {_alternatives(exprs)};")
    header = ["#JSGF V1.0;", f"grammar {name};", f"public <main> = {' | '.join(rules)};"]
    return "\n".join(header + body) + "\n"
