"""The template parser turns ops-written sentence patterns into an AST, or says where it broke."""

from __future__ import annotations

import pytest

from ivr.grammar.template import (
    Alternatives,
    Sequence,
    SlotRef,
    TemplateError,
    Word,
    parse_template,
)


def words(*texts: str) -> Sequence:
    return Sequence(tuple(Word(text) for text in texts))


def test_parse_plain_words_gives_lower_case_sequence() -> None:
    assert parse_template("Check My  Balance") == words("check", "my", "balance")


def test_parse_alternatives_gives_one_option_per_branch() -> None:
    assert parse_template("(talk | speak) to") == Sequence(
        (Alternatives((words("talk"), words("speak"))), Word("to"))
    )


def test_parse_optional_marks_group_optional() -> None:
    assert parse_template("[what is | what's] balance") == Sequence(
        (Alternatives((words("what", "is"), words("what's")), optional=True), Word("balance"))
    )


def test_parse_top_level_bar_gives_alternatives() -> None:
    assert parse_template("yes | yeah") == Alternatives((words("yes"), words("yeah")))


def test_parse_nested_groups_keep_their_structure() -> None:
    parsed = parse_template("[i want to] (talk | speak) to (a person | an agent)")
    assert isinstance(parsed, Sequence)
    first = parsed.items[0]
    assert isinstance(first, Alternatives) and first.optional
    assert parse_template("[a [b]]") == Sequence(
        (
            Alternatives(
                (Sequence((Word("a"), Alternatives((words("b"),), optional=True))),),
                optional=True,
            ),
        )
    )


def test_parse_plain_group_is_spliced_into_sequence() -> None:
    assert parse_template("(my) balance") == words("my", "balance")


def test_parse_slot_reference_gives_slotref_with_column() -> None:
    assert parse_template("my {account_type} balance") == Sequence(
        (Word("my"), SlotRef("account_type", 4), Word("balance"))
    )


def test_parse_apostrophe_inside_word_is_kept_and_punctuation_dropped() -> None:
    assert parse_template("What's that, 'please'?") == words("what's", "that", "please")


@pytest.mark.parametrize(
    ("template", "message", "column"),
    [
        ("(a | b", "'(' is never closed", 1),
        ("balance)", "unexpected ')'", 8),
        ("(a]", "expected ')'", 3),
        ("(a | )", "empty alternative", 6),
        ("[]", "empty alternative", 2),
        ("a |", "empty alternative", 3),
        ("", "template has no words", 1),
        ("{acount", "not closed with '}'", 1),
        ("{}", "must be followed by a slot list name", 1),
        ("my {Account} x", "slot list name 'Account'", 5),
    ],
)
def test_parse_malformed_template_raises_template_error_with_column(
    template: str, message: str, column: int
) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_template(template)
    assert message in caught.value.message
    assert caught.value.column == column
