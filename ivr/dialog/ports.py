"""The grammar port: what the dialog engine needs from the per-menu grammar package.

The real grammar package is built elsewhere; the engine depends only on this Protocol so
it can be driven by a tiny in-memory fake in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class GrammarMatch:
    """One utterance matched against a menu grammar.

    Digits menus (``pin``, ``account_number``) yield intent ``"digits"`` with the digits in
    ``slots["digits"]``.
    """

    intent: str
    slots: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MenuPrompts:
    """The three sentences a menu is asked with."""

    initial: str
    reprompt: str
    no_input: str


class MenuGrammar(Protocol):
    """Per-menu speech/keypad grammar plus the ops-editable wording of the hotline."""

    def match(self, menu_id: str, text: str) -> GrammarMatch | None:
        """The intent ``text`` expresses in ``menu_id`` (a sentence of the grammar, or a
        longer one carrying an intent's key phrase); None when it means nothing there."""
        ...

    def intent_for_key(self, menu_id: str, key: str) -> str | None:
        """The intent a keypad key selects in ``menu_id`` (e.g. ``("main", "1") -> "balance"``)."""
        ...

    def prompts(self, menu_id: str) -> MenuPrompts:
        """The initial, reprompt and no-input sentences of ``menu_id``."""
        ...

    def is_digits_menu(self, menu_id: str) -> tuple[int, int] | None:
        """``(min, max)`` digit count for digit-entry menus, None for choice menus."""
        ...

    def confirm_phrase(self, menu_id: str, intent: str) -> str | None:
        """How to name ``intent`` in "Did you say …?" (e.g. ``"your balance"``)."""
        ...

    def message(self, key: str, default: str) -> str:
        """The ops-edited sentence template for ``key`` (``str.format`` style), else ``default``."""
        ...
