"""Pure helpers that turn numbers, codes and dates into words a TTS reads correctly."""

from __future__ import annotations

from datetime import date

_ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(f"{_TENS[tens]}-{_ONES[ones]}" if ones else _TENS[tens])
    elif rest or not hundreds:
        words.append(_ONES[rest])
    return " ".join(words)


def say_number(n: int) -> str:
    """``2517`` → ``"two thousand five hundred seventeen"`` (US style, no "and")."""
    if n < 0:
        return f"minus {say_number(-n)}"
    if n >= 1000 * 10**12:
        # Beyond trillions nobody listens to the words; digits are clearer.
        return say_digits(str(n))
    words: list[str] = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            words.append(f"{_below_thousand(count)} {name}")
    if n or not words:
        words.append(_below_thousand(n))
    return " ".join(words)


def say_amount(cents: int) -> str:
    """``251743`` → ``"two thousand five hundred seventeen dollars and forty-three cents"``."""
    if cents < 0:
        return f"minus {say_amount(-cents)}"
    dollars, rest = divmod(cents, 100)
    parts: list[str] = []
    if dollars or not rest:
        parts.append(f"{say_number(dollars)} dollar{'' if dollars == 1 else 's'}")
    if rest:
        parts.append(f"{say_number(rest)} cent{'' if rest == 1 else 's'}")
    return " and ".join(parts)


def say_digits(digits: str) -> str:
    """``"1234"`` → ``"1 2 3 4"``: spaced so TTS reads digits, not a number."""
    return " ".join(ch for ch in digits if ch.isdigit())


def say_chars(code: str) -> str:
    """``"AP-1001"`` → ``"A P 1 0 0 1"``: a code read character by character."""
    return " ".join(ch.upper() for ch in code if ch.isalnum())


def ordinal(n: int) -> str:
    """``15`` → ``"15th"``, ``22`` → ``"22nd"``, ``13`` → ``"13th"``."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def say_date(day: date) -> str:
    """``date(2026, 12, 15)`` → ``"December 15th, 2026"``."""
    return f"{_MONTHS[day.month - 1]} {ordinal(day.day)}, {day.year}"
