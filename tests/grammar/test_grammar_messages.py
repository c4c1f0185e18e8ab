"""``messages:`` keys and placeholders are checked against the dialog's own sentences."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ivr.dialog.messages import DEFAULTS
from ivr.grammar import check_grammar_dir
from ivr.grammar.message_check import placeholders
from tests.grammar.grammar_texts import line_with

WriteGrammar = Callable[..., Path]


def _with_message(full_yaml: str, line: str) -> str:
    return full_yaml.replace('  greeting: "Welcome to the bank."\n', f"  {line}\n")


def test_messages_unknown_key_is_a_warning_with_did_you_mean(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = _with_message(full_yaml, 'greting: "Hello."')
    issues = check_grammar_dir(write_grammar(main=text))
    assert [(i.line, i.severity) for i in issues] == [(line_with(text, "greting"), "warning")]
    assert issues[0].message == "unknown message 'greting': the dialog never uses it"
    assert issues[0].hint == "did you mean 'greeting'?"


def test_messages_placeholder_the_dialog_does_not_fill_is_an_error(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = _with_message(full_yaml, 'balance_line: "{kind} {last4}: {amout}."')
    issues = check_grammar_dir(write_grammar(main=text))
    errors = [i for i in issues if i.is_error]
    assert [(i.line, i.severity) for i in errors] == [(line_with(text, "amout"), "error")]
    assert errors[0].message == (
        "message 'balance_line' uses {amout}, which the dialog does not fill in;"
        " callers would hear the default wording"
    )
    assert errors[0].hint == (
        "did you mean {amount}? placeholders of 'balance_line': {kind}, {last4}, {amount}"
    )
    # The misspelt field also means {amount} itself is never spoken.
    assert [i.severity for i in issues if "leaves out {amount}" in i.message] == ["warning"]


def test_messages_numbered_placeholder_is_an_error(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = _with_message(full_yaml, 'confirm_question: "Did you say {0}?"')
    issues = [i for i in check_grammar_dir(write_grammar(main=text)) if i.is_error]
    assert len(issues) == 1 and "numbered or empty placeholder" in issues[0].message


def test_messages_attribute_access_on_a_placeholder_is_an_error(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = _with_message(full_yaml, 'confirm_question: "Did you say {phrase.upper}?"')
    issues = check_grammar_dir(write_grammar(main=text))
    assert [i.severity for i in issues] == ["error"]
    assert "{phrase.upper} (attribute or index access)" in issues[0].message


def test_messages_every_default_placeholder_used_gives_no_finding(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = _with_message(full_yaml, 'balance_line: "{amount} in your {kind} account {last4}."')
    assert check_grammar_dir(write_grammar(main=text)) == []


def test_messages_broken_braces_are_a_load_error_at_the_message(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = _with_message(full_yaml, 'greeting: "Welcome {"')
    issues = check_grammar_dir(write_grammar(main=text))
    assert [(i.line, i.severity) for i in issues] == [(line_with(text, "Welcome {"), "error")]
    assert "write a literal brace as {{ or }}" in issues[0].hint


def test_messages_placeholders_of_every_default_parse() -> None:
    assert placeholders(DEFAULTS["balance_line"]) == ["kind", "last4", "amount"]
    assert all(isinstance(placeholders(text), list) for text in DEFAULTS.values())
