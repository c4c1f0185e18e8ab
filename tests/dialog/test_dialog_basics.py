"""Masking, policy validation and message rendering."""

from __future__ import annotations

import pytest

from ivr.dialog.masking import mask_account, mask_digits, mask_pin
from ivr.dialog.messages import DEFAULTS, render
from ivr.dialog.policy import DialogPolicy

from .fakes import make_ctx


def test_mask_pin_any_entry_is_fully_masked() -> None:
    assert mask_pin("2468") == "****"
    assert mask_pin("24") == "****"
    assert mask_pin("") == ""


def test_mask_account_long_number_keeps_last_four() -> None:
    assert mask_account("9876543210") == "****3210"


def test_mask_account_short_number_is_fully_masked() -> None:
    assert mask_account("1234") == "****"


def test_mask_digits_stars_every_digit_and_keeps_words() -> None:
    assert mask_digits("pin 2468 please") == "pin **** please"
    assert mask_digits("balance") == "balance"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"confirm_below": 1.5},
        {"confirm_below": -0.1},
        {"max_consecutive_failures": 0},
        {"max_total_failures": 0},
        {"no_input_ms": 0},
    ],
)
def test_dialog_policy_invalid_values_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DialogPolicy(**kwargs)  # type: ignore[arg-type]


def test_render_ops_override_is_used() -> None:
    ctx = make_ctx(goodbye="Bye {name}!")
    assert render(ctx, "goodbye", name="Ada") == "Bye Ada!"


def test_render_broken_override_falls_back_to_default() -> None:
    ctx = make_ctx(confirm_question="Did you say {phrasee}? {")
    assert render(ctx, "confirm_question", phrase="balance") == "Did you say balance?"


def test_render_every_default_formats_with_its_values() -> None:
    ctx = make_ctx()
    values = {
        "phrase": "x",
        "attempts": "x",
        "kind": "x",
        "last4": "x",
        "amount": "x",
        "number": "x",
        "premium": "x",
        "due": "x",
        "status": "x",
        "count": "x",
        "key": "x",
        "menu": "x",
        "failures": 1,
        "until": "",
        "reason": "x",
        "digits": "x",
    }
    for key in DEFAULTS:
        assert "{" not in render(ctx, key, **values)
