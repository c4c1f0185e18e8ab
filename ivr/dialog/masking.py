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
