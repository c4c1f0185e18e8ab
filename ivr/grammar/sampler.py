"""Helpers for ``ivr grammar sample`` / ``ivr grammar try``: show what a menu hears and why."""

from __future__ import annotations

import difflib

from ivr.grammar.compiler import CompiledMenu
from ivr.grammar.normalize import normalize


def try_text(compiled: CompiledMenu, text: str) -> str:
    """Explain in one or two lines what ``compiled`` makes of ``text``."""
    match = compiled.match(text)
    phrase = normalize(text)
    if match is not None:
        slots = ", ".join(f"{name}={value}" for name, value in match.slots.items())
        shown = f" [{slots}]" if slots else ""
        return f"'{phrase}' -> {match.intent}{shown} (template: {match.template})"
    close = difflib.get_close_matches(phrase, compiled.sample(), n=3, cutoff=0.5)
    suggestion = f"; closest accepted: {', '.join(repr(c) for c in close)}" if close else ""
    return f"'{phrase}' -> no match in menu '{compiled.menu.id}'{suggestion}"


def sample_by_intent(compiled: CompiledMenu, per_intent: int = 5) -> dict[str, list[str]]:
    """Up to ``per_intent`` accepted sentences for each intent of the menu."""
    return {
        intent.id: compiled.phrases_for(intent.id)[:per_intent] for intent in compiled.menu.intents
    }
