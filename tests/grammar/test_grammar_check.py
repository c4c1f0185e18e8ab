"""``check_grammar_dir`` reports everything, warnings included, and never raises for content."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ivr.asr.base import RecognizerGrammar, RecognizerSession
from ivr.grammar import check_grammar_dir

WriteGrammar = Callable[..., Path]
"""The ``write_grammar`` fixture from tests/grammar/conftest.py."""


@dataclass
class FakeEngine:
    """A SpeechEngine whose vocabulary is a fixed word set."""

    name: str
    vocabulary: frozenset[str]

    def open(self, grammar: RecognizerGrammar) -> RecognizerSession:
        raise NotImplementedError

    def missing_words(self, words: Iterable[str]) -> list[str]:
        return [word for word in words if word not in self.vocabulary]


def test_check_valid_grammar_returns_no_issues(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    assert check_grammar_dir(write_grammar(main=minimal_yaml)) == []


def test_check_missing_reprompt_is_a_warning_not_an_error(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    text = minimal_yaml.replace('      reprompt: "Press 1 for balances."\n', "")
    issues = check_grammar_dir(write_grammar(main=text))
    assert [(i.severity, i.line, i.menu) for i in issues] == [("warning", 4, "main")]
    assert "no reprompt prompt" in issues[0].message


def test_check_broken_yaml_returns_issue_instead_of_raising(write_grammar: WriteGrammar) -> None:
    issues = check_grammar_dir(write_grammar(main="menus: [\n"))
    assert len(issues) == 1 and issues[0].severity == "error"


def test_check_engine_missing_words_are_errors_naming_words_and_menu(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    engine = FakeEngine("pocketsphinx", frozenset({"balance"}))
    issues = check_grammar_dir(write_grammar(main=minimal_yaml), engines=[engine])
    assert len(issues) == 1
    assert issues[0].message == "pocketsphinx does not know 'my' (menu 'main')"
    assert (issues[0].severity, issues[0].line, issues[0].menu) == ("error", 3, "main")


def test_check_engine_knowing_every_word_adds_nothing(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    engine = FakeEngine("vosk", frozenset({"balance", "my"}))
    assert check_grammar_dir(write_grammar(main=minimal_yaml), engines=[engine]) == []


def test_check_unused_slot_list_is_a_warning(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    text = minimal_yaml + "slots:\n  colour: [red, green]\n"
    issues = check_grammar_dir(write_grammar(main=text))
    assert [(i.severity, i.line) for i in issues] == [("warning", 14)]
    assert "slot list 'colour' is not used" in issues[0].message
