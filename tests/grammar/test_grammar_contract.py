"""Grammar sets are checked against the menus and intents the dialog engine really uses."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ivr.grammar import check_grammar_dir
from tests.grammar.grammar_texts import line_with

WriteGrammar = Callable[..., Path]


def _without_menu(text: str, menu: str) -> str:
    """``text`` with the menu block ``menu:`` (up to the next menu) removed."""
    return re.sub(rf"\n  {menu}:\n(    .*\n)*", "\n", text)


def test_contract_full_set_missing_required_menu_is_an_error(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    directory = write_grammar(main=_without_menu(full_yaml, "confirm"))
    issues = check_grammar_dir(directory)
    assert [(i.file, i.line, i.severity, i.menu) for i in issues] == [
        (str(directory), 0, "error", "confirm")
    ]
    assert issues[0].message == (
        "menu 'confirm' is missing: the dialog asks it when an answer was heard with low confidence"
    )


def test_contract_full_set_missing_digits_menu_hint_asks_for_a_digits_spec(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    issues = check_grammar_dir(write_grammar(main=_without_menu(full_yaml, "account_number")))
    assert [i.severity for i in issues] == ["error"]
    assert "'digits: {min: …, max: …}'" in issues[0].hint


def test_contract_minimal_set_gets_one_warning_naming_what_calls_cannot_reach(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    issues = check_grammar_dir(write_grammar(main=minimal_yaml))
    assert [(i.line, i.severity, i.menu) for i in issues] == [
        (line_with(minimal_yaml, "  main:"), "warning", "main")
    ]
    message = issues[0].message
    assert message.startswith("partial grammar set: only main defined")
    assert "'pin' when a caller asks for a balance or a policy" in message
    assert "handed to an agent" in message and "single-menu demo" in issues[0].hint


def test_contract_set_without_main_is_an_error_even_when_small(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    issues = check_grammar_dir(write_grammar(main=minimal_yaml.replace("  main:", "  start:")))
    errors = [i for i in issues if i.is_error]
    assert [i.menu for i in errors] == ["main"]
    assert "at the start of every call" in errors[0].message
    assert any("menu 'start' is unreachable" in i.message for i in issues)


def test_contract_menu_the_dialog_never_asks_is_an_unreachable_warning(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    extra = "menus:\n  holidays:\n    prompts: {initial: Closed.}\n    intents:\n"
    extra += "      hours: {say: [opening hours]}\n"
    issues = check_grammar_dir(write_grammar(main=full_yaml, extra=extra))
    unreachable = [i for i in issues if i.menu == "holidays" and "unreachable" in i.message]
    assert [(Path(i.file).name, i.line, i.severity) for i in unreachable] == [
        ("extra.yaml", 2, "warning")
    ]
    assert "the dialog asks: main, confirm, anything_else, pin" in unreachable[0].hint


def test_contract_pin_menu_without_digits_is_an_error(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace(
        "    digits: {min: 4, max: 4}\n", '    intents:\n      pin_word: {say: ["secret"]}\n'
    )
    issues = check_grammar_dir(write_grammar(main=text))
    shape = [i for i in issues if "must be a digits menu" in i.message]
    assert [(i.line, i.severity) for i in shape] == [(line_with(text, "  pin:"), "error")]
    assert "digits: {min: 4, max: 4}" in shape[0].hint


def test_contract_choice_menu_with_digits_is_an_error(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace(
        "  policy_choice:\n", "  policy_choice:\n    digits: {min: 1, max: 1}\n"
    ).replace('auto: {key: "1", say: ["auto"]}', 'auto: {say: ["auto"]}')
    issues = check_grammar_dir(write_grammar(main=text))
    assert [(i.message, i.severity) for i in issues] == [
        ("menu 'policy_choice' is a digits menu, but the dialog expects choices there", "error")
    ]


def test_contract_intent_the_dialog_ignores_is_an_error_at_its_line(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace(
        '          - "[my] balance"\n',
        '          - "[my] balance"\n      weather:\n        say: ["weather"]\n',
    )
    issues = check_grammar_dir(write_grammar(main=text))
    assert [(i.line, i.severity, i.menu) for i in issues] == [
        (line_with(text, "weather:"), "error", "main")
    ]
    assert "intent 'weather' does nothing in menu 'main'" in issues[0].message
    assert "treated as not understood" in issues[0].message
    assert "balance" in issues[0].hint and "lost_card" in issues[0].hint


def test_contract_global_intent_the_dialog_ignores_is_reported_once(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace(
        '      - "[an] agent"\n', '      - "[an] agent"\n  weather:\n    say: [weather]\n'
    )
    issues = check_grammar_dir(write_grammar(main=text))
    assert [(i.line, i.severity) for i in issues] == [(line_with(text, "  weather:"), "error")]
    assert "menu 'main', 'confirm', 'anything_else', 'policy_choice', 'pin'" in issues[0].message


def test_contract_yes_in_confirm_menu_is_acted_on_but_not_in_main(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    text = full_yaml.replace(
        '          - "[my] balance"\n',
        '          - "[my] balance"\n      "yes":\n        say: ["yes please"]\n',
    )
    issues = check_grammar_dir(write_grammar(main=text))
    assert [(i.menu, i.severity) for i in issues] == [("main", "error")]
    assert "intent 'yes' does nothing in menu 'main'" in issues[0].message
