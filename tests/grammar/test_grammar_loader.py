"""Loading a grammar directory: a typed GrammarSet, or every problem with its file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.grammar import GrammarError, Issue, load_grammar_dir

WriteGrammar = Callable[..., Path]
"""The ``write_grammar`` fixture from tests/grammar/conftest.py."""


def load_errors(directory: Path) -> list[Issue]:
    with pytest.raises(GrammarError) as caught:
        load_grammar_dir(directory)
    return caught.value.issues


def only_issue(directory: Path) -> Issue:
    issues = load_errors(directory)
    assert len(issues) == 1, "\n".join(map(str, issues))
    return issues[0]


def test_load_minimal_grammar_gives_typed_menus(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    gs = load_grammar_dir(write_grammar(main=minimal_yaml))
    menu = gs.menu("main")
    assert gs.language == "en" and gs.voice is None
    assert menu.prompts.initial == "Say balance or press 1."
    balance = menu.intent_for_key("1")
    assert balance is not None and balance.id == "balance"
    assert balance.templates == ("[my] balance",) and balance.template_lines == (12,)
    assert menu.intent("nope") is None and menu.intent_for_key("9") is None


def test_load_unknown_menu_raises_key_error_listing_menus(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    gs = load_grammar_dir(write_grammar(main=minimal_yaml))
    with pytest.raises(KeyError, match=r"no menu 'pim'.*menus: main"):
        gs.menu("pim")


def test_load_global_intents_merge_into_every_menu_unless_opted_out(
    write_grammar: WriteGrammar,
) -> None:
    directory = write_grammar(
        common="""\
        language: en
        global_intents:
          agent: {key: "0", say: [agent]}
        """,
        menus="""\
        menus:
          main:
            prompts: {initial: a, reprompt: b, no_input: c}
            intents:
              balance: {key: "1", say: [balance]}
          plain:
            global: false
            prompts: {initial: a, reprompt: b, no_input: c}
            intents:
              "yes": {key: "1", say: ["yes"]}
          pin:
            digits: {min: 4, max: 4}
            prompts: {initial: a, reprompt: b, no_input: c}
        """,
    )
    gs = load_grammar_dir(directory)
    assert [i.id for i in gs.menu("main").intents] == ["balance", "agent"]
    assert [i.id for i in gs.menu("plain").intents] == ["yes"]
    # In a digits menu the keypad enters digits, so the global intent is voice-only there.
    pin_agent = gs.menu("pin").intent("agent")
    assert pin_agent is not None and pin_agent.key is None
    assert gs.menu("pin").digits is not None


def test_load_yes_and_no_keys_stay_words_not_booleans(write_grammar: WriteGrammar) -> None:
    directory = write_grammar(
        main="""\
        language: en
        menus:
          confirm:
            prompts: {initial: a, reprompt: b, no_input: c}
            intents:
              yes: {key: 1, say: [yes]}
              no: {key: 2, say: [no]}
        """
    )
    menu = load_grammar_dir(directory).menu("confirm")
    assert [(i.id, i.key, i.templates) for i in menu.intents] == [
        ("yes", "1", ("yes",)),
        ("no", "2", ("no",)),
    ]


def test_load_fingerprint_changes_when_any_file_changes(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    directory = write_grammar(main=minimal_yaml)
    before = load_grammar_dir(directory).fingerprint
    write_grammar(main=minimal_yaml.replace("Say balance", "Say your balance"))
    assert load_grammar_dir(directory).fingerprint != before


def test_load_prompt_texts_lists_each_prompt_once(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    gs = load_grammar_dir(write_grammar(main=minimal_yaml))
    assert gs.prompt_texts() == ["Say balance or press 1.", "Press 1 for balances."]


def test_load_yaml_syntax_error_reports_its_line(write_grammar: WriteGrammar) -> None:
    issue = only_issue(write_grammar(main="language: en\nmenus:\n  main: [unclosed\n  x: 1\n"))
    assert issue.line == 4 and "YAML syntax error" in issue.message


def test_load_typo_key_suggests_the_right_key(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    issue = only_issue(write_grammar(main=minimal_yaml.replace("        say:", "        sya:")))
    assert "unknown key 'sya' in intent 'balance' of menu 'main'" in issue.message
    assert issue.hint == "did you mean 'say'?"
    assert issue.line == 11


def test_load_unknown_slot_list_points_at_template_line(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    text = "slots:\n  account_type: {checking: [checking]}\n" + minimal_yaml.replace(
        '"[my] balance"', '"my {acount_type} balance"'
    )
    issue = only_issue(write_grammar(main=text))
    assert str(issue).endswith(
        ":14: error: unknown slot list {acount_type} in intent 'balance' of menu 'main'"
        " (hint: did you mean {account_type}? defined slot lists: account_type)"
    )
    assert issue.menu == "main"


def test_load_unbalanced_template_points_at_template_line_with_column(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    issue = only_issue(write_grammar(main=minimal_yaml.replace('"[my] balance"', '"[my balance"')))
    assert issue.line == 12
    assert issue.message == "template '[my balance': '[' is never closed at column 1"


def test_load_duplicate_keypad_key_names_both_intents(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    text = minimal_yaml + '      policy:\n        key: "1"\n        say: [policy]\n'
    issue = only_issue(write_grammar(main=text))
    assert issue.line == 13
    assert "key '1' is used by both 'balance' and 'policy' in menu 'main'" in issue.message


def test_load_unquoted_hash_key_explains_yaml_comment(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    issue = only_issue(write_grammar(main=minimal_yaml.replace('key: "1"', "key: #")))
    assert issue.line == 10 and "must be one keypad key" in issue.message
    assert "unquoted # starts a YAML comment" in issue.hint


def test_load_same_phrase_in_two_intents_names_both(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    text = minimal_yaml + '      policy:\n        say:\n          - "(policy | balance)"\n'
    issue = only_issue(write_grammar(main=text))
    assert issue.line == 15
    assert "'balance' is accepted by both intents 'balance' and 'policy'" in issue.message


def test_load_menu_without_intents_is_an_error(write_grammar: WriteGrammar) -> None:
    issue = only_issue(
        write_grammar(
            main="""\
            language: en
            menus:
              empty:
                prompts: {initial: a, reprompt: b, no_input: c}
            """
        )
    )
    assert (issue.line, issue.message) == (3, "menu 'empty' has no intents")


def test_load_expansion_blow_up_points_at_template(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    huge = " ".join(["(a | b | c | d)"] * 7)
    issue = only_issue(write_grammar(main=minimal_yaml.replace("[my] balance", huge)))
    assert issue.line == 12 and "accepts 16384 sentences" in issue.message


def test_load_reports_every_problem_not_just_the_first(write_grammar: WriteGrammar) -> None:
    issues = load_errors(
        write_grammar(
            main="""\
            language: en
            menus:
              main:
                prompts: {initial: a, reprompt: b, no_input: c}
                intents:
                  balance: {key: "1", say: ["(balance"]}
                  policy: {kee: "2", say: [policy]}
              pin:
                digits: {min: 6, max: 4}
                prompts: {initial: a}
            """,
            other="language: fr\n",
        )
    )
    lines = sorted((issue.file.rsplit("/", 1)[-1], issue.line) for issue in issues)
    assert lines == [
        ("main.yaml", 1),  # language disagrees with other.yaml
        ("main.yaml", 6),  # unclosed group
        ("main.yaml", 7),  # kee
        ("main.yaml", 9),  # min > max
        ("other.yaml", 1),
    ]
    assert all(issue.severity == "error" for issue in issues)


def test_load_menu_defined_in_two_files_is_an_error(
    write_grammar: WriteGrammar, minimal_yaml: str
) -> None:
    issue = only_issue(write_grammar(a=minimal_yaml, b=minimal_yaml.replace("language: en\n", "")))
    assert issue.file.endswith("b.yaml") and issue.line == 2
    assert "menu 'main' is defined twice" in issue.message and "a.yaml:3" in issue.hint


def test_load_empty_directory_is_an_error(tmp_path: Path) -> None:
    issue = only_issue(tmp_path)
    assert "no grammar files" in issue.message


def test_grammar_error_str_lists_every_issue_on_its_own_line() -> None:
    issues = [Issue("a.yaml", 3, "error", "first"), Issue("a.yaml", 9, "error", "second", "fix")]
    assert (
        str(GrammarError(issues)) == "a.yaml:3: error: first\na.yaml:9: error: second (hint: fix)"
    )


def test_load_overlap_is_reported_alongside_errors_elsewhere(write_grammar: WriteGrammar) -> None:
    issues = load_errors(
        write_grammar(
            main="""\
            language: en
            menus:
              main:
                prompts: {initial: a, reprompt: b, no_input: c}
                intents:
                  balance: {key: "1", say: ["my {acount} balance"]}
              confirm:
                prompts: {initial: a, reprompt: b, no_input: c}
                intents:
                  "yes": {key: "1", say: ["yes", "right"]}
                  "no": {key: "2", say: ["(no | right)"]}
            """
        )
    )
    assert [(issue.line, issue.message.split(" ")[0]) for issue in issues] == [
        (6, "unknown"),
        (11, "'right'"),
    ]


def test_load_message_with_broken_field_points_at_message(write_grammar: WriteGrammar) -> None:
    text = 'messages:\n  balance_line: "{account ending"\n' + MINIMAL_FOR_MESSAGES
    issue = only_issue(write_grammar(main=text))
    assert issue.line == 2 and "message 'balance_line' is not a valid fill-in sentence" in (
        issue.message
    )


MINIMAL_FOR_MESSAGES = """\
language: en
menus:
  main:
    prompts: {initial: a, reprompt: b, no_input: c}
    intents:
      "no": {say: ["no"]}
"""
