"""Fixtures for grammar tests: write small grammar directories into tmp_path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.grammar.grammar_texts import FULL

WriteGrammar = Callable[..., Path]

MINIMAL = """\
language: en
menus:
  main:
    prompts:
      initial: "Say balance or press 1."
      reprompt: "Press 1 for balances."
      no_input: "Press 1 for balances."
    intents:
      balance:
        key: "1"
        say:
          - "[my] balance"
"""


@pytest.fixture
def write_grammar(tmp_path: Path) -> WriteGrammar:
    """Write ``name=yaml text`` files (dedented) into a fresh directory and return it."""

    def write(**files: str) -> Path:
        directory = tmp_path / "grammar"
        directory.mkdir(exist_ok=True)
        for name, text in files.items():
            (directory / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        return directory

    return write


@pytest.fixture
def minimal_yaml() -> str:
    """A valid one-menu grammar file, for tests that break one thing in it."""
    return MINIMAL


@pytest.fixture
def full_yaml() -> str:
    """A valid grammar set with every menu the dialog asks, for tests that break one thing."""
    return FULL
