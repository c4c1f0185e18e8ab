"""Fixtures for the dialog engine tests."""

from __future__ import annotations

import pytest

from ivr.dialog.context import DialogContext

from .fakes import make_ctx


@pytest.fixture
def ctx() -> DialogContext:
    return make_ctx()
