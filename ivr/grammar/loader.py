"""Load ``grammars/<lang>/*.yaml`` into a :class:`GrammarSet`, reporting every problem at once.

File format
===========

All ``*.yaml`` files of one directory form one grammar set; split them however reads best
(e.g. ``main.yaml``, ``security.yaml``). Every top-level section is optional in each file, but
the directory as a whole needs a ``language`` and at least one menu::

    language: en               # must agree across the files of the directory
    voice: gmw/en-us           # optional pyttsx3 voice id for the prompts

    slots:                     # lists of values, defined once, used in templates as {name}
      account_type:
        checking: [checking, current]   # value: the ways callers say it
        savings: savings

    messages:                  # sentences the dialog fills in (Python str.format fields)
      balance_line: "{account} ending in {last4}: {amount}."

    global_intents:            # added to every menu unless that menu says `global: false`
      agent:
        key: "0"
        confirm: an agent
        say:
          - agent
          - "[i want to] (talk | speak) to (a person | an agent)"

    menus:
      main:
        prompts:
          initial: Welcome to Harbor Bank. Say balance, or press 1.
          reprompt: Sorry. Say balance, or press 1.   # after a no-match (default: initial)
          no_input: I didn't hear you. Press 1 for balances.   # after silence (default: reprompt)
        intents:
          balance:
            key: "1"                      # one keypad key: 0-9, * or # (quote it)
            confirm: your balance         # for "Did you say your balance?"
            say:                          # sentence templates, see below
              - "[what is | what's] my [account] balance"
              - "(check | hear) my {account_type} balance"
      pin:
        digits: {min: 4, max: 4}          # a digit-entry menu: callers say or key digits
        prompts:
          initial: Please enter or say your four digit PIN.

Templates: words; ``(a | b c)`` one of; ``[a | b]`` optionally one of; ``{name}`` a slot list;
groups nest. Text is matched lower case without punctuation; apostrophes stay inside words
("what's"), spelled as the recognizer dictionaries spell them.

Rules checked here: known keys only (typos get a "did you mean"), ids are lower-case names,
keys are single DTMF characters and unique per menu, templates are well formed and only use
defined slot lists, no phrase belongs to two intents of a menu, and a menu stays small enough
to recognize well (see :mod:`ivr.grammar.compiler`). A menu-level intent with the id of a global
intent replaces the global one in that menu. In digits menus the keypad enters digits, so global
intents keep only their voice phrases there.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar

from yaml.nodes import Node, SequenceNode

from ivr.grammar.compiler import analyse_menu
from ivr.grammar.errors import GrammarError, Issue, errors_only
from ivr.grammar.expand import slot_names
from ivr.grammar.model import (
    DIGITS_INTENT,
    DigitSpec,
    GrammarSet,
    Intent,
    Menu,
    Prompts,
    RejectPhrase,
    SlotList,
    SlotValue,
)
from ivr.grammar.template import TemplateError, parse_template
from ivr.grammar.yamlnodes import NodeReader, compose, is_null, line_of

TOP_KEYS = ("language", "voice", "slots", "messages", "global_intents", "reject", "menus")
MENU_KEYS = ("prompts", "intents", "digits", "global", "reject")
INTENT_KEYS = ("key", "confirm", "say", "keywords")
PROMPT_KEYS = ("initial", "reprompt", "no_input")
DIGIT_KEYS = ("min", "max")
DTMF_KEYS = frozenset("0123456789*#")
MAX_DIGITS = 32

_ID = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass
class _Parts:
    """Sections gathered from every file of the directory before they are combined."""

    language: dict[str, tuple[str, int]] = field(default_factory=dict)  # file -> (lang, line)
    voice: dict[str, tuple[str, int]] = field(default_factory=dict)
    slots: dict[str, SlotList] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    message_sources: dict[str, tuple[str, int]] = field(default_factory=dict)
    global_intents: dict[str, Intent] = field(default_factory=dict)
    global_reject: list[RejectPhrase] = field(default_factory=list)
    menus: dict[str, Menu] = field(default_factory=dict)
    without_globals: set[str] = field(default_factory=set)  # menus that said `global: false`
    unreadable_files: list[str] = field(default_factory=list)  # YAML syntax errors


def load_grammar_dir(path: str | Path) -> GrammarSet:
    """Load every grammar file in ``path``; raise :class:`GrammarError` listing all errors."""
    grammar_set, issues = analyse_grammar_dir(path)
    errors = errors_only(issues)
    if errors or grammar_set is None:
        raise GrammarError(errors)
    return grammar_set


def _read_files(files: list[Path], parts: _Parts) -> tuple[list[Issue], str]:
    """Read every file into ``parts``; their findings and the content digest."""
    issues: list[Issue] = []
    digest = hashlib.sha256()
    for file in files:
        content = file.read_bytes()
        digest.update(file.name.encode() + b"\0" + content + b"\0")
        issues.extend(_read_file(str(file), content.decode("utf-8", errors="replace"), parts))
    return issues, digest.hexdigest()


def analyse_grammar_dir(path: str | Path) -> tuple[GrammarSet | None, list[Issue]]:
    """Load ``path`` and return the grammar set (None if unusable) with every finding."""
    directory = Path(path)
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        return None, [Issue(str(directory), 0, "error", "no grammar files (*.yaml) found")]
    parts = _Parts()
    issues, fingerprint = _read_files(files, parts)
    grammar_set, combined = _combine(parts, str(directory), fingerprint)
    issues += combined
    if grammar_set is not None:
        # Broken templates were left out of the menus, so these findings are all new ones.
        for menu in grammar_set.menus.values():
            issues.extend(analyse_menu(menu))
    # Stable sort: findings read top to bottom per file, as an editor shows them.
    return grammar_set, sorted(issues, key=lambda issue: (issue.file, issue.line))


def _read_file(file: str, text: str, parts: _Parts) -> list[Issue]:
    root, issues = compose(text, file)
    if issues:
        parts.unreadable_files.append(file)
    if root is None:
        return issues or [Issue(file, 1, "warning", "file is empty")]
    reader = NodeReader(file, issues)
    entries = reader.mapping(root, "the file")
    reader.check_keys(entries, TOP_KEYS, "the file")
    for key, key_node, value in entries:
        if key in ("language", "voice"):
            text_value = reader.string(value, key)
            if text_value is not None:
                getattr(parts, key)[file] = (text_value, line_of(key_node))
        elif key == "slots":
            _read_slots(reader, value, parts)
        elif key == "messages":
            _read_messages(reader, value, parts)
        elif key == "global_intents":
            for intent in _read_intents(reader, value, None, "global_intents"):
                _add_unique(reader, parts.global_intents, intent.id, intent, "global intent")
        elif key == "reject":
            parts.global_reject.extend(_read_reject(reader, value, None, "the top-level reject"))
        elif key == "menus":
            for menu_id, menu_key, menu_node in reader.mapping(value, "menus"):
                if not _check_id(reader, menu_key, menu_id, "menu"):
                    continue
                read = _read_menu(reader, menu_id, line_of(menu_key), menu_node)
                if read is not None:
                    menu, use_globals = read
                    _add_unique(reader, parts.menus, menu_id, menu, "menu")
                    if not use_globals:
                        parts.without_globals.add(menu_id)
    return reader.issues


class _Located(Protocol):
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...


_L = TypeVar("_L", bound=_Located)


def _add_unique(reader: NodeReader, table: dict[str, _L], name: str, item: _L, what: str) -> None:
    """Add ``item``; a second definition anywhere in the directory is an error."""
    if name in table:
        first = table[name]
        reader.issues.append(
            Issue(
                item.file,
                item.line,
                "error",
                f"{what} '{name}' is defined twice",
                f"first defined at {first.file}:{first.line}",
            )
        )
        return
    table[name] = item


def _check_id(reader: NodeReader, node: Node, name: str, what: str) -> bool:
    if _ID.match(name):
        return True
    reader.error(
        node,
        f"{what} id '{name}' must be lower case letters, digits and '_'",
        f"for example '{re.sub(r'[^a-z0-9_]+', '_', name.lower()).strip('_') or 'name'}'",
    )
    return False


def _slot_values(reader: NodeReader, name: str, values_node: Node) -> list[SlotValue]:
    values: list[SlotValue] = []
    if isinstance(values_node, SequenceNode):
        # Shorthand: `colour: [red, green]` - each phrase is its own value.
        for phrase, line in reader.strings(values_node, f"slot list '{name}'"):
            if _check_template(reader, phrase, line, allow_slots=False):
                values.append(SlotValue(" ".join(phrase.lower().split()), (phrase,)))
        return values
    for value, _, phrases_node in reader.mapping(values_node, f"slot list '{name}'"):
        phrases = reader.strings(phrases_node, f"value '{value}' of slot list '{name}'")
        good = [p for p, line in phrases if _check_template(reader, p, line, False)]
        if good:
            values.append(SlotValue(value, tuple(good)))
    return values


def _read_slots(reader: NodeReader, node: Node, parts: _Parts) -> None:
    for name, name_node, values_node in reader.mapping(node, "slots"):
        if not _check_id(reader, name_node, name, "slot list"):
            continue
        values = _slot_values(reader, name, values_node)
        if not values:
            reader.error(name_node, f"slot list '{name}' has no values")
            continue
        slot_list = SlotList(name, tuple(values), reader.file, line_of(name_node))
        _add_unique(reader, parts.slots, name, slot_list, "slot list")


def _read_messages(reader: NodeReader, node: Node, parts: _Parts) -> None:
    for name, name_node, value_node in reader.mapping(node, "messages"):
        text = reader.string(value_node, f"message '{name}'")
        if text is None:
            continue
        try:
            list(string.Formatter().parse(text))
        except ValueError as error:
            what = f"message '{name}' is not a valid fill-in sentence: {error}"
            reader.error(
                value_node, what, "fields look like {amount}; write a literal brace as {{ or }}"
            )
            continue
        if name in parts.messages:
            first_file, first_line = parts.message_sources[name]
            hint = f"first defined at {first_file}:{first_line}"
            reader.error(name_node, f"message '{name}' is defined twice", hint)
            continue
        parts.messages[name] = text
        parts.message_sources[name] = (reader.file, line_of(name_node))


def _read_menu(reader: NodeReader, menu_id: str, line: int, node: Node) -> tuple[Menu, bool] | None:
    entries = reader.mapping(node, f"menu '{menu_id}'")
    reader.check_keys(entries, MENU_KEYS, f"menu '{menu_id}'", menu_id)
    values = {key: value for key, _, value in entries}
    digits = _read_digits(reader, menu_id, values["digits"]) if "digits" in values else None
    use_globals = True
    if "global" in values:
        flag = reader.string(values["global"], "global", menu_id)
        if flag is not None and flag.lower() not in ("true", "false", "yes", "no"):
            reader.error(values["global"], "global must be true or false", menu=menu_id)
        use_globals = flag is None or flag.lower() in ("true", "yes")
    key_lines = {key: line_of(key_node) for key, key_node, _ in entries}
    prompts_line = key_lines.get("prompts", line)
    prompts = _read_prompts(reader, menu_id, prompts_line, values.get("prompts"))
    intents: tuple[Intent, ...] = ()
    if "intents" in values:
        intents = tuple(_read_intents(reader, values["intents"], menu_id, f"menu '{menu_id}'"))
    declared = "intents" in values and not is_null(values["intents"])
    if "digits" not in values and not declared:
        # Global intents alone (agent, repeat) give a caller nothing to do in this menu.
        reader.error(line, f"menu '{menu_id}' has no intents", "add intents: {...}", menu_id)
    if prompts is None:
        return None
    reject: tuple[RejectPhrase, ...] = ()
    if "reject" in values:
        reject = tuple(
            _read_reject(reader, values["reject"], menu_id, f"reject of menu '{menu_id}'")
        )
    menu = Menu(menu_id, prompts, intents, digits, reader.file, line, reject=reject)
    return menu, use_globals


def _read_reject(
    reader: NodeReader, node: Node, menu_id: str | None, where: str
) -> list[RejectPhrase]:
    """Reject phrases: templates (slots allowed) that make a spotted sentence a no-match."""
    return [
        RejectPhrase(text, reader.file, line)
        for text, line in reader.strings(node, where, menu_id)
        if _check_template(reader, text, line, True, menu_id)
    ]


def _read_prompts(reader: NodeReader, menu_id: str, line: int, node: Node | None) -> Prompts | None:
    """The menu's prompts; ``line`` is the ``prompts:`` key (or the menu when it is missing)."""
    if node is None:
        reader.error(
            line, f"menu '{menu_id}' has no prompts", "add prompts: {initial: ...}", menu_id
        )
        return None
    entries = reader.mapping(node, f"prompts of menu '{menu_id}'")
    reader.check_keys(entries, PROMPT_KEYS, f"prompts of menu '{menu_id}'", menu_id)
    texts = {}
    for key, _, value in entries:
        if key in PROMPT_KEYS and (text := reader.string(value, f"prompt '{key}'", menu_id)):
            texts[key] = text
    if "initial" not in texts:
        reader.error(line, f"menu '{menu_id}' has no initial prompt", menu=menu_id)
        return None
    for key in ("reprompt", "no_input"):
        if key not in texts:
            reader.warning(
                line,
                f"menu '{menu_id}' has no {key} prompt; callers will hear the previous one again",
                f"a {key} prompt should say the choices more plainly",
                menu_id,
            )
    reprompt = texts.get("reprompt", texts["initial"])
    return Prompts(texts["initial"], reprompt, texts.get("no_input", reprompt))


def _read_digits(reader: NodeReader, menu_id: str, node: Node) -> DigitSpec | None:
    entries = reader.mapping(node, f"digits of menu '{menu_id}'")
    reader.check_keys(entries, DIGIT_KEYS, f"digits of menu '{menu_id}'", menu_id)
    bounds: dict[str, int] = {}
    for key, _, value in entries:
        text = reader.string(value, f"digits {key}", menu_id)
        if key in DIGIT_KEYS and text is not None:
            if not text.isdigit():
                reader.error(value, f"digits {key} must be a whole number", menu=menu_id)
                continue
            bounds[key] = int(text)
    if set(bounds) != set(DIGIT_KEYS):
        reader.error(node, f"digits of menu '{menu_id}' need both min and max", menu=menu_id)
        return None
    if not 1 <= bounds["min"] <= bounds["max"] <= MAX_DIGITS:
        what = f"digits of menu '{menu_id}': need 1 <= min <= max <= {MAX_DIGITS}"
        reader.error(node, what, menu=menu_id)
        return None
    return DigitSpec(bounds["min"], bounds["max"])


def _read_intents(reader: NodeReader, node: Node, menu_id: str | None, where: str) -> list[Intent]:
    intents = []
    for intent_id, id_node, intent_node in reader.mapping(node, f"intents of {where}"):
        if not _check_id(reader, id_node, intent_id, "intent"):
            continue
        if intent_id == DIGITS_INTENT:
            reader.error(
                id_node, f"intent id '{DIGITS_INTENT}' is reserved for digit entry", menu=menu_id
            )
            continue
        intent = _read_intent(reader, intent_id, line_of(id_node), intent_node, menu_id)
        if intent is not None:
            intents.append(intent)
    return intents


def _read_intent(
    reader: NodeReader, intent_id: str, line: int, node: Node, menu_id: str | None
) -> Intent | None:
    what = f"intent '{intent_id}'" + (f" of menu '{menu_id}'" if menu_id else "")
    entries = reader.mapping(node, what)
    reader.check_keys(entries, INTENT_KEYS, what, menu_id)
    values = {key: value for key, _, value in entries}
    key = None
    if "key" in values:
        key_node = values["key"]
        key = None if is_null(key_node) else reader.string(key_node, f"key of {what}", menu_id)
        if key not in DTMF_KEYS:
            shown = "nothing" if key is None else f"'{key}'"
            reader.error(
                key_node,
                f"key of {what} is {shown}; it must be one keypad key: 0-9, * or #",
                'quote it: key: "#" (an unquoted # starts a YAML comment)',
                menu_id,
            )
            key = None
    confirm = (
        reader.string(values["confirm"], f"confirm of {what}", menu_id)
        if "confirm" in values
        else None
    )
    if "say" not in values:
        if set(values) <= set(INTENT_KEYS):  # a misspelt "say" was reported already
            reader.error(line, f"{what} has no 'say' templates", "add say: [...]", menu_id)
        return None
    templates = reader.strings(values["say"], f"say of {what}", menu_id)
    good = [
        (text, tline)
        for text, tline in templates
        if _check_template(reader, text, tline, True, menu_id)
    ]
    if len(good) != len(templates) or not good:
        if not templates:
            reader.error(values["say"], f"{what} has no 'say' templates", menu=menu_id)
        return None
    keywords: list[tuple[str, int]] = []
    if "keywords" in values:
        found = reader.strings(values["keywords"], f"keywords of {what}", menu_id)
        keywords = [(t, kl) for t, kl in found if _check_template(reader, t, kl, True, menu_id)]
    return Intent(
        intent_id,
        key,
        confirm,
        tuple(text for text, _ in good),
        reader.file,
        line,
        tuple(tline for _, tline in good),
        keywords=tuple(text for text, _ in keywords),
        keyword_lines=tuple(kline for _, kline in keywords),
    )


def _check_template(
    reader: NodeReader, text: str, line: int, allow_slots: bool, menu_id: str | None = None
) -> bool:
    try:
        parsed = parse_template(text)
    except TemplateError as error:
        reader.error(line, f"template '{text}': {error}", menu=menu_id)
        return False
    if not allow_slots and any(True for _ in slot_names(parsed)):
        reader.error(
            line, f"slot list phrase '{text}' may not use {{slot}} references", menu=menu_id
        )
        return False
    return True


def _combine(
    parts: _Parts, directory: str, fingerprint: str
) -> tuple[GrammarSet | None, list[Issue]]:
    """Merge the sections of all files, checking what only the whole directory can show."""
    reader = NodeReader(directory)
    # After a YAML syntax error the broken file may well hold the language and the menus.
    complete = not parts.unreadable_files
    language = _single_setting(reader, parts.language, "language", required=complete)
    voice = _single_setting(reader, parts.voice, "voice", required=False)
    if not parts.menus and complete:
        reader.error(0, "no menus defined", "add a top-level 'menus:' section")
    _check_slot_usage(parts, reader)
    slot_lists = tuple(parts.slots.values())
    menus: dict[str, Menu] = {}
    for menu_id, menu in parts.menus.items():
        use_globals = menu_id not in parts.without_globals
        menu = replace(menu, reject=(*menu.reject, *parts.global_reject))
        menus[menu_id] = _finish_menu(menu, use_globals, parts.global_intents, slot_lists, reader)
    if language is None or not menus:
        return None, reader.issues
    grammar_set = GrammarSet(
        language,
        voice,
        menus,
        dict(parts.messages),
        directory,
        fingerprint,
        dict(parts.message_sources),
    )
    return grammar_set, reader.issues


def _single_setting(
    reader: NodeReader, found: dict[str, tuple[str, int]], name: str, required: bool
) -> str | None:
    distinct = {value for value, _ in found.values()}
    if len(distinct) > 1:
        hint = f"all files of one directory share one {name}: {', '.join(sorted(distinct))}"
        for file, (value, line) in found.items():
            what = f"files disagree on {name}: '{value}' here"
            reader.issues.append(Issue(file, line, "error", what, hint))
        return None
    if not distinct:
        if required:
            reader.error(0, f"no file sets '{name}'", f"add '{name}: ...' at the top of a file")
        return None
    return distinct.pop()


def _finish_menu(
    menu: Menu,
    use_globals: bool,
    global_intents: dict[str, Intent],
    slot_lists: tuple[SlotList, ...],
    reader: NodeReader,
) -> Menu:
    """Add global intents and slot lists; check keys and that the menu can hear something."""
    own_ids = {intent.id for intent in menu.intents}
    intents = list(menu.intents)
    if use_globals:
        intents += [intent for intent in global_intents.values() if intent.id not in own_ids]
    if menu.digits is not None:
        for intent in menu.intents:
            if intent.key is not None:
                reader.issues.append(
                    Issue(
                        intent.file,
                        intent.line,
                        "error",
                        f"intent '{intent.id}' of digits menu '{menu.id}' has key '{intent.key}'",
                        "in a digits menu the keypad enters digits; remove the key",
                        menu.id,
                    )
                )
        # The keypad belongs to digit entry here; global intents stay reachable by voice.
        intents = [replace(intent, key=None) for intent in intents]
    by_key: dict[str, Intent] = {}
    for intent in intents:
        if intent.key is None:
            continue
        if intent.key in by_key:
            first = by_key[intent.key]
            reader.issues.append(
                Issue(
                    intent.file,
                    intent.line,
                    "error",
                    f"key '{intent.key}' is used by both '{first.id}' and '{intent.id}'"
                    f" in menu '{menu.id}'",
                    f"'{first.id}' is at {first.file}:{first.line}",
                    menu.id,
                )
            )
        else:
            by_key[intent.key] = intent
    return replace(menu, intents=tuple(intents), slot_lists=slot_lists)


def _check_slot_usage(parts: _Parts, reader: NodeReader) -> None:
    """Unknown slot references are errors; slot lists nobody uses are warnings.

    Intents with unknown slot references are dropped from ``parts``, so every menu built
    afterwards compiles and its own findings (overlaps, size) can still be reported.
    """
    owners: list[tuple[Intent, str, str | None]] = [
        (intent, f"global intent '{intent.id}'", None) for intent in parts.global_intents.values()
    ]
    for menu in parts.menus.values():
        owners += [(i, f"intent '{i.id}' of menu '{menu.id}'", menu.id) for i in menu.intents]
    defined = ", ".join(sorted(parts.slots)) or "none"
    used: set[str] = set()
    broken: set[tuple[str | None, str]] = set()  # (menu id or None for global, intent id)
    for intent, where, menu_id in owners:
        sources = [(t, intent.template_line(i)) for i, t in enumerate(intent.templates)]
        sources += [(k, intent.keyword_line(i)) for i, k in enumerate(intent.keywords)]
        for template, template_line in sources:
            for ref in slot_names(parse_template(template)):
                used.add(ref.name)
                if ref.name not in parts.slots:
                    broken.add((menu_id, intent.id))
                    close = difflib.get_close_matches(ref.name, list(parts.slots), n=1)
                    hint = f"did you mean {{{close[0]}}}? " if close else ""
                    reader.issues.append(
                        Issue(
                            intent.file,
                            template_line,
                            "error",
                            f"unknown slot list {{{ref.name}}} in {where}",
                            f"{hint}defined slot lists: {defined}",
                            menu_id,
                        )
                    )
    for name, slot_list in parts.slots.items():
        if name not in used:
            reader.issues.append(
                Issue(
                    slot_list.file,
                    slot_list.line,
                    "warning",
                    f"slot list '{name}' is not used by any template",
                )
            )
    for menu_id, intent_id in broken:
        if menu_id is None:
            del parts.global_intents[intent_id]
        else:
            menu = parts.menus[menu_id]
            kept = tuple(intent for intent in menu.intents if intent.id != intent_id)
            parts.menus[menu_id] = replace(menu, intents=kept)
