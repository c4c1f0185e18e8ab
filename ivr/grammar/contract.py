"""Does a grammar set fit the dialog engine? Missing, unreachable, mis-shaped menus; idle intents.

The engine asks menus by fixed ids and routes intents by fixed ids (see
:mod:`ivr.dialog.menus`). A set with a ``pin`` menu is meant to drive the whole dialog, so a
menu it lacks is an error; a smaller set (a single-language demo with only ``main``) gets one
warning naming what calls cannot reach.
"""

from __future__ import annotations

from ivr.dialog.intents import MAIN_MENU
from ivr.dialog.menus import DIALOG_MENUS, DialogMenu, acted_on, dialog_menu
from ivr.dialog.verification import PIN_MENU
from ivr.grammar.errors import Issue
from ivr.grammar.model import GrammarSet, Menu


def is_full_dialog_set(grammar_set: GrammarSet) -> bool:
    """True when the set is meant to serve the whole dialog (it has a ``pin`` menu)."""
    return PIN_MENU in grammar_set.menus


def check_contract(grammar_set: GrammarSet) -> list[Issue]:
    """Every finding about how ``grammar_set`` fits the dialog engine's menus and intents."""
    issues = _missing_menus(grammar_set)
    for menu in grammar_set.menus.values():
        expected = dialog_menu(menu.id)
        if expected is None:
            issues.append(_unreachable(menu))
            continue
        shape = _wrong_shape(menu, expected)
        if shape is not None:
            issues.append(shape)
    issues.extend(_idle_intents(grammar_set))
    return issues


def _missing_menus(grammar_set: GrammarSet) -> list[Issue]:
    missing = [menu for menu in DIALOG_MENUS if menu.id not in grammar_set.menus]
    # Every call starts at main; and a set with a PIN menu is meant to be complete.
    fatal = [m for m in missing if m.id == MAIN_MENU or is_full_dialog_set(grammar_set)]
    issues = [
        Issue(
            grammar_set.directory,
            0,
            "error",
            f"menu '{menu.id}' is missing: the dialog asks it {menu.asked_when}",
            f"add '{menu.id}:' under 'menus:'"
            + (" with a 'digits: {min: …, max: …}' spec" if menu.digits else ""),
            menu.id,
        )
        for menu in fatal
    ]
    rest = [menu for menu in missing if menu not in fatal]
    if rest:
        main = grammar_set.menus.get(MAIN_MENU)
        file, line = (main.file, main.line) if main else (grammar_set.directory, 0)
        asked = "; ".join(f"'{menu.id}' {menu.asked_when}" for menu in rest)
        issues.append(
            Issue(
                file,
                line,
                "warning",
                f"partial grammar set: only {', '.join(sorted(grammar_set.menus))} defined;"
                " a call that needs a missing menu is handed to an agent with an apology"
                f" (the dialog asks {asked})",
                "fine for a single-menu demo; add these menus to serve the full dialog",
                MAIN_MENU,
            )
        )
    return issues


def _unreachable(menu: Menu) -> Issue:
    known = ", ".join(m.id for m in DIALOG_MENUS)
    return Issue(
        menu.file,
        menu.line,
        "warning",
        f"menu '{menu.id}' is unreachable: the dialog never asks it",
        f"the dialog asks: {known}; rename it to one of them or remove it",
        menu.id,
    )


def _wrong_shape(menu: Menu, expected: DialogMenu) -> Issue | None:
    if expected.digits and menu.digits is None:
        return Issue(
            menu.file,
            menu.line,
            "error",
            f"menu '{menu.id}' must be a digits menu: the dialog collects digits there",
            "add 'digits: {min: 4, max: 4}' (the lengths callers may enter)",
            menu.id,
        )
    if not expected.digits and menu.digits is not None:
        return Issue(
            menu.file,
            menu.line,
            "error",
            f"menu '{menu.id}' is a digits menu, but the dialog expects choices there",
            "remove 'digits:' and give it intents",
            menu.id,
        )
    return None


def _idle_intents(grammar_set: GrammarSet) -> list[Issue]:
    """Intents the engine has no action for where they are heard: callers get a no-match.

    A global intent is one definition in many menus, so it is reported once, naming them all.
    """
    idle: dict[tuple[str, str, int], list[str]] = {}
    for menu in grammar_set.menus.values():
        if dialog_menu(menu.id) is None:
            continue  # already reported as unreachable
        for intent in menu.intents:
            if intent.id not in acted_on(menu.id):
                idle.setdefault((intent.id, intent.file, intent.line), []).append(menu.id)
    issues = []
    for (intent_id, file, line), menus in idle.items():
        where = ", ".join(f"'{m}'" for m in menus)
        useful = ", ".join(sorted(acted_on(menus[0])))
        issues.append(
            Issue(
                file,
                line,
                "error",
                f"intent '{intent_id}' does nothing in menu {where}: the dialog has no action"
                " for it there, so callers who say it are treated as not understood",
                f"intents the dialog acts on in '{menus[0]}': {useful}",
                menus[0],
            )
        )
    return issues
