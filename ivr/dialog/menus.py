"""The menus the dialog engine asks and the intents it acts on: what a grammar set must provide.

The engine names its menus by fixed ids (``main``, ``pin``, …) and routes intents by fixed
ids (``balance``, ``yes``, …). A grammar set is free to word them, but a menu the engine asks
for and cannot find breaks the call, and an intent the engine has no action for is heard as
a no-match. ``ivr grammar check`` and the hot reload compare grammar sets with this table;
``tests/dialog/test_dialog_menus.py`` keeps it in step with :func:`ivr.dialog.intents.route`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.dialog.answers import POLICY_CHOICE_MENU
from ivr.dialog.intents import MAIN_MENU, POLICY_KINDS
from ivr.dialog.prompting import CONFIRM_MENU
from ivr.dialog.services import ANYTHING_ELSE_MENU, SERVICES
from ivr.dialog.verification import ACCOUNT_MENU, PIN_MENU

ANYWHERE_INTENTS = frozenset(
    {"agent", "repeat", "main_menu", "lost_card", "fraud", "goodbye"} | SERVICES
)
"""Intents the engine acts on in every menu (see ``ivr.dialog.intents._act``)."""


@dataclass(frozen=True)
class DialogMenu:
    """One menu the engine asks: its id, whether it takes digits, and when it is asked."""

    id: str
    digits: bool
    """True for digit-entry menus (PIN, account number): they need a ``digits:`` spec."""
    asked_when: str
    """Plain words for ops: when callers reach this menu."""
    intents: frozenset[str] = frozenset()
    """Intents the engine acts on only here (on top of :data:`ANYWHERE_INTENTS`)."""


DIALOG_MENUS: tuple[DialogMenu, ...] = (
    DialogMenu(MAIN_MENU, False, "at the start of every call"),
    DialogMenu(
        CONFIRM_MENU,
        False,
        "when an answer was heard with low confidence",
        frozenset({"yes", "no"}),
    ),
    DialogMenu(ANYTHING_ELSE_MENU, False, "after every answer", frozenset({"yes", "no"})),
    DialogMenu(PIN_MENU, True, "when a caller asks for a balance or a policy"),
    DialogMenu(ACCOUNT_MENU, True, "when the caller ID matches no customer"),
    DialogMenu(
        POLICY_CHOICE_MENU, False, "when a caller holds several kinds of policy", POLICY_KINDS
    ),
)
"""Every menu the engine can ask, in the order a call usually meets them."""


def dialog_menu(menu_id: str) -> DialogMenu | None:
    """The engine's description of ``menu_id``, or None when the engine never asks it."""
    return next((menu for menu in DIALOG_MENUS if menu.id == menu_id), None)


def acted_on(menu_id: str) -> frozenset[str]:
    """Every intent the engine does something with when it is heard in ``menu_id``."""
    menu = dialog_menu(menu_id)
    return ANYWHERE_INTENTS | (menu.intents if menu is not None else frozenset())
