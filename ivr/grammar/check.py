"""``ivr grammar check``: every finding about a grammar directory, including engine vocabularies."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ivr.asr.base import SpeechEngine
from ivr.grammar.compiler import compile_menu
from ivr.grammar.errors import Issue, errors_only
from ivr.grammar.loader import analyse_grammar_dir


def check_grammar_dir(path: str | Path, engines: Sequence[SpeechEngine] = ()) -> list[Issue]:
    """All errors and warnings for ``path``; content problems are reported, never raised.

    For each engine, words its vocabulary lacks are errors: a recognizer cannot hear them.
    """
    grammar_set, issues = analyse_grammar_dir(path)
    if grammar_set is None or errors_only(issues) or not engines:
        return issues
    for menu in grammar_set.menus.values():
        words = sorted(compile_menu(menu).recognizer.words)
        for engine in engines:
            missing = engine.missing_words(words)
            if missing:
                issues.append(
                    Issue(
                        menu.file,
                        menu.line,
                        "error",
                        f"{engine.name} does not know {', '.join(repr(w) for w in missing)}"
                        f" (menu '{menu.id}')",
                        "use a word the recognizer's dictionary spells, or a different word",
                        menu.id,
                    )
                )
    return issues
