"""Masking of secrets before anything reaches the turn log."""

from __future__ import annotations

MASK = "****"


def mask_pin(entered: str) -> str:
    """A PIN is never logged, not even its length."""
    return MASK if entered else ""


def mask_account(digits: str) -> str:
    """Account numbers keep their last four digits, which agents use to tell accounts apart."""
    if len(digits) <= 4:
        return MASK
    return MASK + digits[-4:]


def mask_digits(text: str) -> str:
    """Every digit starred: for input whose meaning is unknown (it may be a PIN or an
    account number), e.g. a turn the dialog could not handle."""
    return "".join("*" if ch.isdigit() else ch for ch in text)


_DIGIT_WORDS = frozenset(
    {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
)


def mask_spoken_digits(text: str) -> str:
    """Every digit starred, spoken ("two") or written ("2"): for what a caller said at a
    PIN or account prompt that was a command, not the number ("agent, it's two four …")."""
    words = ["*" if word in _DIGIT_WORDS else mask_digits(word) for word in text.split(" ")]
    return " ".join(words)
