"""The dialog contract table (ivr/dialog/menus.py) agrees with what the engine really routes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ivr.dialog.context import DialogContext
from ivr.dialog.effects import TurnRecord
from ivr.dialog.intents import route
from ivr.dialog.menus import ANYWHERE_INTENTS, DIALOG_MENUS, acted_on, dialog_menu
from ivr.dialog.outcomes import TurnOutcome
from ivr.dialog.ports import GrammarMatch
from ivr.dialog.state import CallState, PendingConfirm

from .fakes import DIGITS_MENUS, known_caller_at_main

CHOICE_MENUS = [menu.id for menu in DIALOG_MENUS if not menu.digits]


def _state_at(ctx: DialogContext, menu: str) -> CallState:
    state = known_caller_at_main(ctx)
    if menu == "confirm":
        # A yes/no only means something while a low-confidence match waits for it.
        pending = PendingConfirm("main", GrammarMatch("balance"), 0)
        state = replace(state, confirming=pending)
    return replace(state, menu=menu)


def _turn(menu: str, intent: str) -> TurnRecord:
    return TurnRecord(menu, "speech", intent, intent, 0.9, TurnOutcome.MATCHED)


@pytest.mark.parametrize(
    ("menu", "intent"),
    [(menu, intent) for menu in CHOICE_MENUS for intent in sorted(acted_on(menu))],
)
def test_dialog_menus_listed_intent_is_routed_by_the_engine(
    ctx: DialogContext, menu: str, intent: str
) -> None:
    routed = route(ctx, _state_at(ctx, menu), menu, GrammarMatch(intent), _turn(menu, intent))
    assert routed is not None, f"the table says '{intent}' works in '{menu}'; route() ignores it"


@pytest.mark.parametrize(
    ("menu", "intent"),
    [
        (menu, intent)
        for menu in CHOICE_MENUS
        for intent in ("weather", "auto", "yes", "digits")
        if intent not in acted_on(menu)
    ],
)
def test_dialog_menus_unlisted_intent_is_ignored_by_the_engine(
    ctx: DialogContext, menu: str, intent: str
) -> None:
    routed = route(ctx, _state_at(ctx, menu), menu, GrammarMatch(intent), _turn(menu, intent))
    assert routed is None


def test_dialog_menus_digit_menus_are_the_engine_digit_menus() -> None:
    assert {menu.id for menu in DIALOG_MENUS if menu.digits} == set(DIGITS_MENUS)


def test_dialog_menus_unknown_menu_gets_only_the_anywhere_intents() -> None:
    assert dialog_menu("holidays") is None
    assert acted_on("holidays") == ANYWHERE_INTENTS
