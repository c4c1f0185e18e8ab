"""Spoken digit strings for digit-entry menus (PIN, account number)."""

from __future__ import annotations

from ivr.grammar.model import DigitSpec

DIGIT_WORDS: dict[str, str] = {
    "zero": "0",
    "oh": "0",  # callers read account numbers with "oh" for zero
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
"""Every word a digits menu accepts as a digit, in the order recognizers are given them."""


def spoken_digits(words: list[str], spec: DigitSpec) -> str | None:
    """The digit string ``words`` spell, or None if any word is not a digit or the length is off.

    Numerals ("2468") are accepted too, so text-only simulations can type what callers key.
    """
    digits = ""
    for word in words:
        if word in DIGIT_WORDS:
            digits += DIGIT_WORDS[word]
        elif word.isascii() and word.isdigit():
            digits += word
        else:
            return None
    return digits if spec.min <= len(digits) <= spec.max else None


def example_digit_phrases(spec: DigitSpec) -> list[str]:
    """Sample spoken digit strings of the shortest and longest accepted length."""
    words = [word for word in DIGIT_WORDS if word != "oh"]
    cycle = words[1:] + words[:1]  # "one two three …" reads more naturally than "zero one …"
    lengths = sorted({spec.min, spec.max})
    return [" ".join(cycle[i % len(cycle)] for i in range(length)) for length in lengths]
