"""Menu grammars: YAML files -> typed menus -> recognizer grammars and exact phrase matching.

Pipeline (after home-assistant/hassil): :mod:`~ivr.grammar.template` parses templates into an
AST, :mod:`~ivr.grammar.loader` builds the typed :class:`GrammarSet` with line-accurate
:class:`Issue` reports, :mod:`~ivr.grammar.compiler` expands menus into phrase tables, JSGF and
Vosk phrase lists, and :mod:`~ivr.grammar.sampler` explains matches for the CLI.
"""

from __future__ import annotations

from ivr.grammar.check import check_grammar_dir
from ivr.grammar.compiler import CompiledMenu, Match, compile_grammar_set, compile_menu
from ivr.grammar.errors import GrammarError, Issue
from ivr.grammar.loader import load_grammar_dir
from ivr.grammar.model import (
    DIGITS_INTENT,
    DIGITS_SLOT,
    DigitSpec,
    GrammarSet,
    Intent,
    Menu,
    Prompts,
    SlotList,
    SlotValue,
)
from ivr.grammar.normalize import normalize
from ivr.grammar.sampler import try_text

__all__ = [
    "DIGITS_INTENT",
    "DIGITS_SLOT",
    "CompiledMenu",
    "DigitSpec",
    "GrammarError",
    "GrammarSet",
    "Intent",
    "Issue",
    "Match",
    "Menu",
    "Prompts",
    "SlotList",
    "SlotValue",
    "check_grammar_dir",
    "compile_grammar_set",
    "compile_menu",
    "load_grammar_dir",
    "normalize",
    "try_text",
]
