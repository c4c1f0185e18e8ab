"""Free-form transcripts in the grammar's spelling."""

from __future__ import annotations

import pytest

from ivr.recognition.freetext import clean, collapse_loops, digit_run, spell, spell_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Goodbye. Goodbye. Goodbye. Goodbye", "goodbye"),
        ("Agent. Agent.", "agent"),
        ("I want to speak to someone, to someone", "i want to speak to someone"),
        ("What's my balance?", "what's my balance"),
    ],
)
def test_clean_collapses_the_loops_whisper_writes(text: str, expected: str) -> None:
    assert clean(text, digits=False) == expected


def test_clean_keeps_repeated_digits_in_digit_menus() -> None:
    assert clean("5, 5, 5, 5.", digits=True) == "five five five five"
    assert collapse_loops(["one", "two", "one", "two"]) == ["one", "two"]  # choice menus only


def test_spell_digits_handles_numerals_and_double_triple() -> None:
    assert spell_digits(["24", "double", "5"]) == ["two", "four", "five", "five"]
    assert spell_digits(["triple", "0", "7"]) == ["zero", "zero", "zero", "seven"]
    assert spell_digits(["double", "trouble"]) == ["double", "trouble"]
    assert spell("2408") == "two four zero eight"


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("My PIN is 2468.", "2468"),
        ("uh, 2 4, 6 8", "2468"),
        ("it is 1 2 3 4 please", "1234"),
        ("2468 and 5", None),
        ("I don't remember", None),
        ("1 2 the other one 3 4", None),
    ],
)
def test_digit_run_allows_lead_in_words_only(text: str, digits: str | None) -> None:
    assert digit_run(clean(text, digits=True).split()) == digits
