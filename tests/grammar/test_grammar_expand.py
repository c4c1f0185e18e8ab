"""Expansion enumerates every accepted sentence; counting predicts it without expanding."""

from __future__ import annotations

import pytest

from ivr.grammar.expand import ExpansionError, SlotChoices, count, expand
from ivr.grammar.template import parse_template

SLOTS: SlotChoices = {
    "account_type": (
        ("checking", parse_template("checking")),
        ("checking", parse_template("current")),
        ("savings", parse_template("savings")),
    )
}


def phrases(template: str) -> list[str]:
    return [e.phrase for e in expand(parse_template(template), SLOTS)]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("balance", 1),
        ("(a | b | c)", 3),
        ("[a | b]", 3),
        ("[what is | what's] my [account] balance", 6),
        ("[i want to] (talk | speak) to (a person | someone | an agent | a representative)", 16),
        ("(check | hear) my {account_type} balance", 6),
    ],
)
def test_count_template_equals_number_of_expansions(template: str, expected: int) -> None:
    assert count(parse_template(template), SLOTS) == expected
    assert len(phrases(template)) == expected


def test_expand_optional_gives_shortest_sentence_first() -> None:
    assert phrases("[my] balance") == ["balance", "my balance"]


def test_expand_slot_reference_yields_slot_value() -> None:
    expansions = list(expand(parse_template("my {account_type}"), SLOTS))
    assert [(e.phrase, dict(e.slots)) for e in expansions] == [
        ("my checking", {"account_type": "checking"}),
        ("my current", {"account_type": "checking"}),
        ("my savings", {"account_type": "savings"}),
    ]


def test_expand_unknown_slot_list_raises_expansion_error() -> None:
    with pytest.raises(ExpansionError, match="unknown slot list"):
        list(expand(parse_template("{nope}"), SLOTS))


def test_expand_same_slot_twice_in_one_sentence_raises_expansion_error() -> None:
    with pytest.raises(ExpansionError, match="used twice"):
        list(expand(parse_template("{account_type} to {account_type}"), SLOTS))
