"""The typed grammar model: what the loader produces and the dialog reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DIGITS_INTENT = "digits"
"""Intent id reported by :meth:`CompiledMenu.match` when a digits menu hears a digit string."""

DIGITS_SLOT = "digits"
"""Slot holding the recognized digit string, e.g. ``"2468"``."""


@dataclass(frozen=True)
class Prompts:
    """What the IVR says in one menu."""

    initial: str
    reprompt: str
    """A clearer version, spoken after a no-match."""
    no_input: str
    """Spoken when the caller said nothing."""


@dataclass(frozen=True)
class DigitSpec:
    """A digit-entry menu accepts between ``min`` and ``max`` digits."""

    min: int
    max: int


@dataclass(frozen=True)
class SlotValue:
    """One value of a slot list and the templates that say it."""

    value: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class SlotList:
    """A named list of values reusable in templates as ``{name}``."""

    name: str
    values: tuple[SlotValue, ...]
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class RejectPhrase:
    """A template that, spotted in what a caller said, makes the turn a no-match."""

    template: str
    file: str
    line: int


@dataclass(frozen=True)
class Intent:
    """One thing a caller can ask for in a menu, by voice (``templates``) or keypad (``key``)."""

    id: str
    key: str | None
    confirm: str | None
    """Short description for "Did you say …?"."""
    templates: tuple[str, ...]
    file: str
    line: int
    template_lines: tuple[int, ...] = ()
    """Source line of each template (parallel to ``templates``); empty when built in code."""
    keywords: tuple[str, ...] = ()
    """Key phrase templates spotted *inside* longer sentences of the free-form pass
    ("... my car insurance ..." → policy), so ops need not write every sentence out."""
    keyword_lines: tuple[int, ...] = ()
    """Source line of each keyword template (parallel to ``keywords``)."""

    def keyword_line(self, index: int) -> int:
        """The source line of keyword template ``index``, falling back to the intent's line."""
        if index < len(self.keyword_lines):
            return self.keyword_lines[index]
        return self.line

    def template_line(self, index: int) -> int:
        """The source line of template ``index``, falling back to the intent's line."""
        if index < len(self.template_lines):
            return self.template_lines[index]
        return self.line


@dataclass(frozen=True)
class Menu:
    """One prompt and the small grammar of answers it accepts."""

    id: str
    prompts: Prompts
    intents: tuple[Intent, ...]
    digits: DigitSpec | None
    file: str
    line: int
    slot_lists: tuple[SlotList, ...] = ()
    """The slot lists the templates may reference (a compiled menu needs nothing else)."""
    reject: tuple[RejectPhrase, ...] = ()
    """Near-domain phrases that must never trigger an intent of this menu when spotted
    ("open an account" is not a balance request); the set's global ones included."""

    def intent(self, intent_id: str) -> Intent | None:
        """The intent called ``intent_id``, or None."""
        return next((intent for intent in self.intents if intent.id == intent_id), None)

    def intent_for_key(self, key: str) -> Intent | None:
        """The intent bound to keypad ``key``, or None (digits menus bind no keys)."""
        return next((intent for intent in self.intents if intent.key == key), None)


@dataclass(frozen=True)
class GrammarSet:
    """Every menu of one language, loaded from one directory."""

    language: str
    voice: str | None
    menus: Mapping[str, Menu] = field(hash=False)
    messages: Mapping[str, str] = field(hash=False)
    directory: str
    fingerprint: str
    """sha256 over every file's name and content: changes whenever any file does."""
    message_sources: Mapping[str, tuple[str, int]] = field(
        default_factory=dict, hash=False, compare=False
    )
    """Message key -> (file, line) where it is defined, for findings about messages."""

    def menu(self, menu_id: str) -> Menu:
        """The menu called ``menu_id``; KeyError naming the known menus otherwise."""
        try:
            return self.menus[menu_id]
        except KeyError:
            known = ", ".join(sorted(self.menus)) or "none"
            raise KeyError(
                f"no menu {menu_id!r} in grammar set {self.directory} (menus: {known})"
            ) from None

    def prompt_texts(self) -> list[str]:
        """Every static prompt text, without duplicates, in menu order (for pre-rendering)."""
        texts: dict[str, None] = {}
        for menu in self.menus.values():
            for text in (menu.prompts.initial, menu.prompts.reprompt, menu.prompts.no_input):
                texts.setdefault(text, None)
        return list(texts)
