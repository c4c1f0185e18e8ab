"""Helpers for ``ivr grammar sample`` / ``ivr grammar try``: show what a menu hears and why."""

from __future__ import annotations

import difflib

from ivr.grammar.compiler import CompiledMenu
from ivr.grammar.digits import example_digit_phrases
from ivr.grammar.model import DIGITS_INTENT, DigitSpec, Intent
from ivr.grammar.normalize import normalize
from ivr.grammar.spotting import explain


def try_text(compiled: CompiledMenu, text: str) -> str:
    """Explain what ``compiled`` makes of ``text``: intent, slots and the template that matched.

    A sentence of the grammar is matched whole; otherwise key phrase spotting (what the
    free-form pass's transcripts go through) says which keyword or reject phrase decided.
    A no-match names the closest sentences the menu does accept.
    """
    match = compiled.understand(text)
    phrase = normalize(text)
    menu = compiled.menu
    if match is None:
        spot = compiled.spot(text)
        lines = [f"'{phrase}' -> no match in menu '{menu.id}'"]
        if spot.found or compiled.spotter:
            lines.append(f"  spotting: {explain(spot)}")
        close = difflib.get_close_matches(phrase, compiled.sample(), n=3, cutoff=0.5)
        if close:
            lines.append(f"  closest accepted: {', '.join(repr(c) for c in close)}")
        return "\n".join(lines)
    slots = ", ".join(f"{name}={value}" for name, value in match.slots.items()) or "none"
    if match.intent == DIGITS_INTENT:
        assert menu.digits is not None  # only digits menus report digit entries
        spec = menu.digits
        why = f"spoken digits ({spec.min} to {spec.max} digits), menu at {menu.file}:{menu.line}"
    elif match.how == "keyword":
        why = explain(compiled.spot(text))
    else:
        why = f"template '{match.template}' at {match.file}:{match.line}"
    return f"'{phrase}' -> {match.intent}\n  slots: {slots}\n  why: {why}"


def _digit_lines(spec: DigitSpec) -> list[str]:
    head = f"digits ({spec.min} to {spec.max} digits, spoken or keyed), e.g.:"
    return [head, *(f"  {phrase}" for phrase in example_digit_phrases(spec))]


def sample_lines(compiled: CompiledMenu, per_intent: int | None = 10) -> list[str]:
    """The sentences ``compiled`` accepts, grouped by intent, with counts.

    ``per_intent`` caps the sentences shown per intent (None: all of them); an intent
    with more says how many were left out, so large menus stay readable.
    """
    menu = compiled.menu
    total = sum(len(compiled.phrases_for(intent.id)) for intent in menu.intents)
    digits = " plus digit strings" if menu.digits is not None else ""
    lines = [f"menu '{menu.id}': {total} sentences{digits}, {len(menu.intents)} intents"]
    if menu.digits is not None:
        lines += _digit_lines(menu.digits)
    for intent in menu.intents:
        lines += _intent_lines(intent, compiled.phrases_for(intent.id), per_intent)
    return lines


def _intent_lines(intent: Intent, phrases: list[str], per_intent: int | None) -> list[str]:
    key = f"key {intent.key}, " if intent.key else ""
    shown = phrases if per_intent is None else phrases[:per_intent]
    lines = [f"{intent.id} ({key}{len(phrases)} sentences):", *(f"  {p}" for p in shown)]
    if len(shown) < len(phrases):
        lines.append(f"  ... {len(phrases) - len(shown)} more")
    return lines
