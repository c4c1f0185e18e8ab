"""``check_grammar_dir`` reports everything, warnings included, and never raises for content.

Each kind of mistake ops can make gets one precise finding: file, line, severity, hint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ivr.asr.base import RecognizerGrammar, RecognizerSession
from ivr.grammar import Issue, check_grammar_dir
from ivr.grammar.compiler import MAX_EXPANSIONS
from tests.grammar.grammar_texts import line_with

WriteGrammar = Callable[..., Path]
"""The ``write_grammar`` fixture from tests/grammar/conftest.py."""


@dataclass
class FakeEngine:
    """A SpeechEngine that knows every word but ``unknown`` (pure logic: no model needed)."""

    name: str
    unknown: frozenset[str]

    def open(self, grammar: RecognizerGrammar) -> RecognizerSession:
        raise NotImplementedError

    def missing_words(self, words: Iterable[str]) -> list[str]:
        return [word for word in words if word in self.unknown]


def where(issues: list[Issue]) -> list[tuple[str, int, str]]:
    """(file name, line, severity) of each finding."""
    return [(Path(i.file).name, i.line, i.severity) for i in issues]


def test_check_full_valid_grammar_returns_no_issues(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    assert check_grammar_dir(write_grammar(main=full_yaml)) == []


def test_check_missing_reprompt_is_a_warning_not_an_error(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace('      reprompt: "Press 1 for balances."\n', "")
    issues = check_grammar_dir(write_grammar(main=text))
    assert where(issues) == [("main.yaml", line_with(text, "    prompts:"), "warning")]
    assert "no reprompt prompt" in issues[0].message and issues[0].menu == "main"


def test_check_broken_yaml_reports_the_syntax_error_line(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    broken = "menus:\n  extra:\n    prompts: [unclosed\n"
    issues = check_grammar_dir(write_grammar(main=full_yaml, zz_broken=broken))
    assert where(issues) == [("zz_broken.yaml", 4, "error")]
    assert "YAML syntax error" in issues[0].message and "indentation" in issues[0].hint


def test_check_unknown_slot_list_points_at_the_template_with_a_suggestion(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace('          - "[my] balance"', '          - "my {acount_type} balance"')
    text += "slots:\n  account_type:\n    checking: [checking]\n"
    issues = check_grammar_dir(write_grammar(main=text))
    errors = [i for i in issues if i.is_error]
    assert where(errors) == [("main.yaml", line_with(text, "{acount_type}"), "error")]
    assert errors[0].message == "unknown slot list {acount_type} in intent 'balance' of menu 'main'"
    assert "did you mean {account_type}?" in errors[0].hint


def test_check_duplicate_keypad_key_names_both_intents(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace(
        '      "no": {key: "2", say: ["no"]}', '      "no": {key: "1", say: ["no"]}', 1
    )
    issues = check_grammar_dir(write_grammar(main=text))
    assert where(issues) == [("main.yaml", line_with(text, '"no": {key: "1"'), "error")]
    assert issues[0].message == "key '1' is used by both 'yes' and 'no' in menu 'confirm'"
    yes_line = line_with(text, '"yes"')
    assert issues[0].hint == f"'yes' is at {issues[0].file}:{yes_line}"


def test_check_same_phrase_in_two_intents_is_an_overlap_error(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace('"no": {key: "2", say: ["no"]}', '"no": {key: "2", say: ["yes"]}', 1)
    issues = check_grammar_dir(write_grammar(main=text))
    assert where(issues) == [
        ("main.yaml", line_with(text, '"no": {key: "2", say: ["yes"]}'), "error")
    ]
    assert "'yes' is accepted by both intents 'yes' and 'no' of menu 'confirm'" in issues[0].message


def test_check_too_large_expansion_names_the_biggest_template(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    # Eight optional groups of ten words: 11**8 sentences, far above the limit.
    group = "[" + " | ".join(f"w{n}" for n in range(10)) + "]"
    big = " ".join([group] * 8) + " balance"
    text = full_yaml.replace('          - "[my] balance"', f'          - "{big}"')
    issues = check_grammar_dir(write_grammar(main=text))
    assert where(issues) == [("main.yaml", line_with(text, "w9] balance"), "error")]
    assert f"(limit {MAX_EXPANSIONS})" in issues[0].message
    assert "split it into a few plainer templates" in issues[0].hint


def test_check_engine_missing_words_point_at_the_template_that_uses_them(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace('          - "[my] balance"', '          - "[my] zorblax balance"')
    engine = FakeEngine("pocketsphinx", frozenset({"zorblax"}))
    issues = check_grammar_dir(write_grammar(main=text), engines=[engine])
    assert where(issues) == [("main.yaml", line_with(text, "zorblax"), "error")]
    assert issues[0].message == "pocketsphinx does not know 'zorblax' (menu 'main')"


def test_check_engine_missing_global_word_is_reported_once_for_every_menu(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    engine = FakeEngine("vosk", frozenset({"agent"}))
    issues = check_grammar_dir(write_grammar(main=full_yaml), engines=[engine])
    assert where(issues) == [("main.yaml", line_with(full_yaml, "[an] agent"), "error")]
    assert issues[0].message.startswith("vosk does not know 'agent' (menu 'main', 'confirm',")


def test_check_engine_missing_slot_word_points_at_the_slot_list(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace('          - "[my] balance"', '          - "my {kind} balance"')
    text += "slots:\n  kind:\n    checking: [checking, chequing]\n"
    engine = FakeEngine("pocketsphinx", frozenset({"chequing"}))
    issues = check_grammar_dir(write_grammar(main=text), engines=[engine])
    assert where(issues) == [("main.yaml", line_with(text, "  kind:"), "error")]
    assert "'chequing'" in issues[0].message


def test_check_engine_missing_digit_word_points_at_each_digits_menu(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    engine = FakeEngine("pocketsphinx", frozenset({"oh"}))
    issues = check_grammar_dir(write_grammar(main=full_yaml), engines=[engine])
    assert where(issues) == [
        ("main.yaml", line_with(full_yaml, "  pin:"), "error"),
        ("main.yaml", line_with(full_yaml, "  account_number:"), "error"),
    ]
    assert [i.menu for i in issues] == ["pin", "account_number"]


def test_check_engine_knowing_every_word_adds_nothing(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    engine = FakeEngine("vosk", frozenset({"zorblax"}))
    assert check_grammar_dir(write_grammar(main=full_yaml), engines=[engine]) == []


def test_check_unused_slot_list_is_a_warning(write_grammar: WriteGrammar, full_yaml: str) -> None:
    text = full_yaml + "slots:\n  colour: [red, green]\n"
    issues = check_grammar_dir(write_grammar(main=text))
    assert where(issues) == [("main.yaml", line_with(text, "colour:"), "warning")]
    assert "slot list 'colour' is not used" in issues[0].message


def test_check_deliberately_broken_grammar_gets_one_precise_finding_per_problem(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    """Bad syntax, an unknown slot, an unknown word and a duplicate key, all in one run."""
    text = (
        full_yaml.replace('          - "[my] balance"', '          - "my {acount} balance"')
        .replace('      auto: {key: "1", say: ["auto"]}', '      auto: {key: "1", say: ["blorf"]}')
        .replace('      "no": {key: "2", say: ["no"]}', '      "no": {key: "1", say: ["no"]}', 1)
    )
    broken = "menus:\n  extra:\n    prompts: {initial: 'oops'\n"
    engine = FakeEngine("pocketsphinx", frozenset({"blorf"}))
    issues = check_grammar_dir(write_grammar(main=text, other=broken), engines=[engine])
    found = {(Path(i.file).name, i.line, i.severity): i.message for i in issues}
    assert found == {
        ("main.yaml", line_with(text, "{acount}"), "error"): (
            "unknown slot list {acount} in intent 'balance' of menu 'main'"
        ),
        ("main.yaml", line_with(text, '"no": {key: "1"'), "error"): (
            "key '1' is used by both 'yes' and 'no' in menu 'confirm'"
        ),
        ("main.yaml", line_with(text, "blorf"), "error"): (
            "pocketsphinx does not know 'blorf' (menu 'policy_choice')"
        ),
        ("other.yaml", 4, "error"): found[("other.yaml", 4, "error")],
    }
    assert "YAML syntax error" in found[("other.yaml", 4, "error")]
    assert all(issue.hint for issue in issues)
