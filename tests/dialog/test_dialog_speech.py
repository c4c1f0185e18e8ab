"""Words for amounts, digits, codes and dates."""

from __future__ import annotations

from datetime import date

import pytest

from ivr.dialog.speech import ordinal, say_amount, say_chars, say_date, say_digits, say_number


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (0, "zero dollars"),
        (1, "one cent"),
        (5, "five cents"),
        (100, "one dollar"),
        (101, "one dollar and one cent"),
        (200, "two dollars"),
        (9650, "ninety-six dollars and fifty cents"),
        (251743, "two thousand five hundred seventeen dollars and forty-three cents"),
        (100_000_000, "one million dollars"),
        (
            123_456_789_01,
            "one hundred twenty-three million four hundred fifty-six thousand "
            "seven hundred eighty-nine dollars and one cent",
        ),
        (-1205, "minus twelve dollars and five cents"),
        (-1, "minus one cent"),
    ],
)
def test_say_amount_cents_reads_dollars_and_cents(cents: int, words: str) -> None:
    assert say_amount(cents) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (20, "twenty"),
        (21, "twenty-one"),
        (100, "one hundred"),
        (105, "one hundred five"),
        (1000, "one thousand"),
        (1_000_001, "one million one"),
        (2_000_000_000, "two billion"),
        (3 * 10**12, "three trillion"),
        (-40, "minus forty"),
    ],
)
def test_say_number_integer_reads_words(n: int, words: str) -> None:
    assert say_number(n) == words


def test_say_number_beyond_trillions_reads_digits() -> None:
    assert say_number(10**15) == " ".join("1" + "0" * 15)


def test_say_digits_digits_are_spaced() -> None:
    assert say_digits("1234") == "1 2 3 4"


def test_say_digits_non_digits_are_dropped() -> None:
    assert say_digits("12-34") == "1 2 3 4"
    assert say_digits("") == ""


def test_say_chars_policy_number_reads_characters() -> None:
    assert say_chars("AP-1001") == "A P 1 0 0 1"
    assert say_chars("ap1") == "A P 1"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (31, "31st"),
        (111, "111th"),
    ],
)
def test_ordinal_day_gets_suffix(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_say_date_date_reads_month_ordinal_year() -> None:
    assert say_date(date(2026, 12, 15)) == "December 15th, 2026"
    assert say_date(date(2027, 1, 1)) == "January 1st, 2027"
    assert say_date(date(2026, 3, 22)) == "March 22nd, 2026"
