"""``ivr grammar check``: every finding about a grammar directory, including engine vocabularies.

Loading reports syntax, unknown keys and slot lists, duplicate keys, overlaps and size
(:mod:`ivr.grammar.loader`); on top of that come the dialog contract
(:mod:`ivr.grammar.contract`), the ``messages:`` section (:mod:`ivr.grammar.message_check`)
and the recognizers' vocabularies, each pointing at the line to edit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ivr.asr.base import SpeechEngine
from ivr.grammar.compiler import compile_menu
from ivr.grammar.contract import check_contract
from ivr.grammar.errors import GrammarError, Issue, errors_only
from ivr.grammar.loader import analyse_grammar_dir
from ivr.grammar.message_check import check_messages
from ivr.grammar.model import GrammarSet, Menu
from ivr.grammar.template import Alternatives, Expression, Word, parse_template
from ivr.grammar.template import Sequence as Seq


def check_grammar_dir(path: str | Path, engines: Sequence[SpeechEngine] = ()) -> list[Issue]:
    """All errors and warnings for ``path``; content problems are reported, never raised.

    For each engine, words its vocabulary lacks are errors: a recognizer cannot hear them.
    """
    grammar_set, issues = analyse_grammar_dir(path)
    if grammar_set is None:
        return issues
    found = issues + check_messages(grammar_set)
    for engine in engines:
        found += vocabulary_issues(grammar_set, engine)
    if not errors_only(issues):
        # After a load error menus may be missing only because their file is broken.
        found += check_contract(grammar_set)
    return sorted(found, key=lambda issue: (issue.file, issue.line))


def check_grammar_set(grammar_set: GrammarSet, engines: Sequence[SpeechEngine] = ()) -> list[Issue]:
    """Findings about a loaded set that loading alone cannot see (also run by the hot reload)."""
    issues = check_contract(grammar_set) + check_messages(grammar_set)
    for engine in engines:
        issues.extend(vocabulary_issues(grammar_set, engine))
    return issues


def vocabulary_issues(grammar_set: GrammarSet, engine: SpeechEngine) -> list[Issue]:
    """One error per source line using words ``engine`` cannot recognize."""
    missing: dict[tuple[str, int], dict[str, None]] = {}  # (file, line) -> words, ordered
    menus: dict[tuple[str, int], dict[str, None]] = {}
    for menu in grammar_set.menus.values():
        try:
            words = sorted(compile_menu(menu).recognizer.words)
        except GrammarError:
            continue  # its template errors are reported already; the rest is still checked
        unknown = set(engine.missing_words(words))
        if not unknown:
            continue
        placed: set[str] = set()
        for (file, line), used in _word_sources(menu):
            for word in used:
                if word in unknown:
                    missing.setdefault((file, line), {})[word] = None
                    menus.setdefault((file, line), {})[menu.id] = None
                    placed.add(word)
        for word in sorted(unknown - placed):  # the digit words of a digits menu
            missing.setdefault((menu.file, menu.line), {})[word] = None
            menus.setdefault((menu.file, menu.line), {})[menu.id] = None
    issues = []
    for (file, line), found in missing.items():
        menu_ids = list(menus[(file, line)])
        issues.append(
            Issue(
                file,
                line,
                "error",
                f"{engine.name} does not know {', '.join(repr(w) for w in found)}"
                f" (menu {', '.join(repr(m) for m in menu_ids)})",
                "use a word the recognizer's dictionary spells, or a different word",
                menu_ids[0],
            )
        )
    return issues


def _word_sources(menu: Menu) -> Iterator[tuple[tuple[str, int], list[str]]]:
    """(file, line) of every template and slot list of ``menu`` with the words it uses."""
    for intent in menu.intents:
        for index, template in enumerate(intent.templates):
            yield (intent.file, intent.template_line(index)), _words(parse_template(template))
    for slot_list in menu.slot_lists:
        words = [
            word
            for value in slot_list.values
            for phrase in value.phrases
            for word in _words(parse_template(phrase))
        ]
        yield (slot_list.file, slot_list.line), words


def _words(expr: Expression) -> list[str]:
    if isinstance(expr, Word):
        return [expr.text]
    if isinstance(expr, Seq):
        return [word for item in expr.items for word in _words(item)]
    if isinstance(expr, Alternatives):
        return [word for option in expr.options for word in _words(option)]
    return []  # slot references: their words are reported at the slot list
