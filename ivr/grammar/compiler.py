"""Compile a menu into a recognizer grammar and an exact phrase matcher.

Every template is expanded into the sentences it accepts. Those sentences are both what the
recognizer is constrained to (Vosk phrase list, PocketSphinx JSGF) and the keys of a dict
that maps recognized text back to its intent: matching is exact, and text outside the menu's
language is a no-match, never the "nearest" intent.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from ivr.asr.base import RecognizerGrammar
from ivr.grammar.digits import DIGIT_WORDS, example_digit_phrases, spoken_digits
from ivr.grammar.errors import GrammarError, Issue, errors_only
from ivr.grammar.expand import (
    Expansion,
    ExpansionError,
    SlotChoices,
    count,
    expand,
    slot_names,
)
from ivr.grammar.jsgf import grammar_text
from ivr.grammar.model import DIGITS_INTENT, DIGITS_SLOT, GrammarSet, Intent, Menu
from ivr.grammar.normalize import normalize
from ivr.grammar.spotting import KeyPhrase, Spot, Spotter
from ivr.grammar.template import GAP, Expression, TemplateError, parse_template

MAX_EXPANSIONS = 5000
"""Most sentences one menu may accept; more is almost always a template blow-up."""

LARGE_MENU = 400
"""Above this many sentences a menu gets a warning: big grammars crowd out short answers."""


@dataclass(frozen=True)
class Match:
    """Which intent a recognized text means, and why."""

    intent: str
    slots: Mapping[str, str]
    template: str
    """The source template that accepts the text (or ``<digits>`` for digit entry)."""
    phrase: str
    """The normalized text that matched."""
    file: str = ""
    line: int = 0
    """Where ``template`` is defined (empty and 0 for digit entry)."""
    how: str = "sentence"
    """``sentence`` (the whole text is a grammar sentence), ``digits``, or ``keyword``
    (a key phrase spotted inside a longer sentence; ``template`` is the key phrase's)."""


@dataclass(frozen=True)
class _Entry:
    intent: str
    slots: tuple[tuple[str, str], ...]
    template: str
    line: int
    file: str


@dataclass(frozen=True, eq=False)
class CompiledMenu:
    """A menu ready for recognition and matching. Immutable; share it between calls."""

    menu: Menu
    recognizer: RecognizerGrammar
    _table: Mapping[str, _Entry] = field(repr=False)
    spotter: Spotter = field(default_factory=lambda: Spotter(()), repr=False)
    """The menu's key and reject phrases (empty when it declares none)."""

    def match(self, text: str) -> Match | None:
        """The intent ``text`` (recognizer output) exactly expresses, or None for a no-match."""
        phrase = normalize(text)
        entry = self._table.get(phrase)
        if entry is not None:
            return Match(
                entry.intent, dict(entry.slots), entry.template, phrase, entry.file, entry.line
            )
        if self.menu.digits is not None and phrase:
            digits = spoken_digits(phrase.split(), self.menu.digits)
            if digits is not None:
                return Match(DIGITS_INTENT, {DIGITS_SLOT: digits}, "<digits>", phrase, how="digits")
        return None

    def understand(self, text: str) -> Match | None:
        """What a free-form sentence means here: an exact sentence (or digit string) first,
        else the intent its key phrases spot (see :mod:`ivr.grammar.spotting`)."""
        exact = self.match(text)
        if exact is not None:
            return exact
        found = self.spot(text)
        deciding = found.deciding
        if found.intent is None or deciding is None:
            return None
        key = deciding.phrase
        return Match(
            found.intent,
            dict(found.slots),
            key.template,
            normalize(text),
            key.file,
            key.line,
            how="keyword",
        )

    def spot(self, text: str) -> Spot:
        """The key phrase spotting verdict on ``text`` (for :meth:`understand` and ops)."""
        return self.spotter.spot(normalize(text).split())

    def sample(self, limit: int | None = None) -> list[str]:
        """Sentences this menu accepts, in template order (digit examples first)."""
        examples = example_digit_phrases(self.menu.digits) if self.menu.digits else []
        phrases = examples + list(self._table)
        return phrases if limit is None else phrases[:limit]

    def phrases_for(self, intent_id: str) -> list[str]:
        """Every sentence that selects ``intent_id``."""
        return [phrase for phrase, entry in self._table.items() if entry.intent == intent_id]

    @functools.cached_property
    def word_intents(self) -> Mapping[str, frozenset[str]]:
        """For every word of the menu's sentences, the intents whose sentences use it
        ("card" → lost_card only; "my" → nearly all)."""
        found: dict[str, set[str]] = {}
        for phrase, entry in self._table.items():
            for word in phrase.split():
                found.setdefault(word, set()).add(entry.intent)
        return {word: frozenset(intents) for word, intents in found.items()}


def compile_menu(menu: Menu) -> CompiledMenu:
    """Compile ``menu``; raises :class:`GrammarError` if its templates are unusable."""
    return _compile_cached(menu)


@functools.lru_cache(maxsize=256)
def _compile_cached(menu: Menu) -> CompiledMenu:
    table, issues = _build_table(menu)
    phrases, spot_issues = _key_phrases(menu, table)
    errors = errors_only([*issues, *spot_issues])
    if errors:
        raise GrammarError(errors)
    return CompiledMenu(menu, _recognizer_grammar(menu, table), table, Spotter(phrases))


def compile_grammar_set(gs: GrammarSet) -> Mapping[str, CompiledMenu]:
    """Compile every menu of ``gs``, keyed by menu id."""
    return {menu_id: compile_menu(menu) for menu_id, menu in gs.menus.items()}


def analyse_menu(menu: Menu) -> list[Issue]:
    """Every finding compiling ``menu`` would hit: bad templates, blow-ups, overlaps, size,
    and contradictory key or reject phrases."""
    table, issues = _build_table(menu)
    return [*issues, *_key_phrases(menu, table)[1]]


def _key_phrases(menu: Menu, table: Mapping[str, _Entry]) -> tuple[list[KeyPhrase], list[Issue]]:
    """Expand every keyword and reject template of ``menu``; report phrases that cannot work."""
    issues: list[Issue] = []
    choices = _slot_choices(menu, [])
    sources: list[tuple[str | None, str, str, int]] = [
        (intent.id, keyword, intent.file, intent.keyword_line(index))
        for intent in menu.intents
        for index, keyword in enumerate(intent.keywords)
    ]
    sources += [(None, r.template, r.file, r.line) for r in menu.reject]
    phrases: list[KeyPhrase] = []
    owner: dict[tuple[str, ...], KeyPhrase] = {}
    total = 0
    for intent, template, file, line in sources:
        what = f"keyword '{template}' of intent '{intent}'" if intent else f"reject '{template}'"
        try:
            expr = parse_template(template)
            total += count(expr, choices)
            if total > MAX_EXPANSIONS:
                limit = f"too many key phrases in menu '{menu.id}' (limit {MAX_EXPANSIONS})"
                issues.append(_issue(file, line, menu, f"{what}: {limit}"))
                break
            expansions = [e for e in expand(expr, choices) if e.words]
        except (TemplateError, ExpansionError) as error:
            issues.append(_issue(file, line, menu, f"{what}: {error}"))
            continue
        if any(e.words[0] == GAP or e.words[-1] == GAP for e in expansions):
            hint = "write 'card ... lost', not '... lost'"
            issues.append(_issue(file, line, menu, f"{what}: '...' must stand between words", hint))
            continue
        for expansion in expansions:
            phrase = KeyPhrase(expansion.words, intent, template, file, line, expansion.slots)
            problem = _key_phrase_problem(menu, table, owner.get(expansion.words), phrase, what)
            if problem is not None:
                issues.append(problem)
                if problem.is_error:
                    continue
            owner.setdefault(expansion.words, phrase)
            phrases.append(phrase)
    return phrases, issues


def _key_phrase_problem(
    menu: Menu,
    table: Mapping[str, _Entry],
    first: KeyPhrase | None,
    phrase: KeyPhrase,
    what: str,
) -> Issue | None:
    """Why one expanded key phrase cannot work (an error: it is left out) or will not
    (a warning: it is kept); None when it is fine."""
    if first is not None and first.intent != phrase.intent:
        return _spot_conflict(menu, first, phrase, what)
    text = " ".join(phrase.words)
    if (
        phrase.intent is not None
        and menu.digits is not None
        and all(w in DIGIT_WORDS for w in phrase.words)
    ):
        message = f"{what}: '{text}' would be heard as digits in digits menu '{menu.id}'"
        return _issue(phrase.file, phrase.line, menu, message, "use words that are not digits")
    sentence = table.get(text)
    if phrase.intent is None and sentence is not None:
        # A whole grammar sentence wins over spotting, so the reject never applies.
        return Issue(
            phrase.file,
            phrase.line,
            "warning",
            f"{what}: '{text}' is also a sentence of intent"
            f" '{sentence.intent}', which is matched before rejects",
            f"see {sentence.file}:{sentence.line}",
            menu.id,
        )
    return None


def _spot_conflict(menu: Menu, first: KeyPhrase, phrase: KeyPhrase, what: str) -> Issue:
    first_what = f"intent '{first.intent}'" if first.intent else "a reject phrase"
    return _issue(
        phrase.file,
        phrase.line,
        menu,
        f"{what}: '{' '.join(phrase.words)}' is already a key phrase of {first_what}",
        f"'{first.template}' at {first.file}:{first.line}",
    )


def _slot_choices(menu: Menu, issues: list[Issue]) -> SlotChoices:
    choices: dict[str, tuple[tuple[str, Expression], ...]] = {}
    for slot_list in menu.slot_lists:
        parsed: list[tuple[str, Expression]] = []
        for value in slot_list.values:
            for phrase in value.phrases:
                try:
                    parsed.append((value.value, parse_template(phrase)))
                except TemplateError as error:
                    issues.append(
                        _issue(
                            slot_list.file,
                            slot_list.line,
                            menu,
                            f"slot list '{slot_list.name}' phrase '{phrase}': {error}",
                        )
                    )
        choices[slot_list.name] = tuple(parsed)
    return choices


def _parse_intents(
    menu: Menu, choices: SlotChoices, issues: list[Issue]
) -> list[tuple[Intent, int, Expression, int]]:
    """Parse every template; returns (intent, template index, AST, sentence count)."""
    parsed = []
    for intent in menu.intents:
        for index, template in enumerate(intent.templates):
            line = intent.template_line(index)
            try:
                expr = parse_template(template)
                parsed.append((intent, index, expr, count(expr, choices)))
            except (TemplateError, ExpansionError) as error:
                what = f"template '{template}' of intent '{intent.id}': {error}"
                issues.append(_issue(intent.file, line, menu, what))
    return parsed


def _build_table(menu: Menu) -> tuple[dict[str, _Entry], list[Issue]]:
    issues: list[Issue] = []
    choices = _slot_choices(menu, issues)
    parsed = _parse_intents(menu, choices, issues)
    total = sum(n for *_, n in parsed)
    if total > MAX_EXPANSIONS:
        return {}, [*issues, _too_many_sentences(menu, parsed, total)]
    table: dict[str, _Entry] = {}
    reported: set[tuple[str, str]] = set()
    for intent, index, expr, _ in parsed:
        template, line = intent.templates[index], intent.template_line(index)
        for expansion in _sentences(menu, intent, index, expr, choices, issues):
            entry = _Entry(intent.id, expansion.slots, template, line, intent.file)
            conflict = _conflict(menu, table.get(expansion.phrase), entry, expansion.phrase)
            if conflict and (conflict[0], template) not in reported:
                reported.add((conflict[0], template))  # one report per template pair is enough
                issues.append(_issue(intent.file, line, menu, conflict[1], conflict[2]))
            table.setdefault(expansion.phrase, entry)
    if len(table) > LARGE_MENU:
        issues.append(
            Issue(
                menu.file,
                menu.line,
                "warning",
                f"menu '{menu.id}' accepts {len(table)} sentences; large grammars"
                " make short answers like 'no' harder to recognize",
                "keep one small grammar per prompt",
                menu.id,
            )
        )
    return table, issues


def _too_many_sentences(
    menu: Menu, parsed: list[tuple[Intent, int, Expression, int]], total: int
) -> Issue:
    intent, index, _, biggest = max(parsed, key=lambda item: item[3])
    return _issue(
        intent.file,
        intent.template_line(index),
        menu,
        f"menu '{menu.id}' accepts {total} sentences (limit {MAX_EXPANSIONS});"
        f" template '{intent.templates[index]}' of intent '{intent.id}'"
        f" alone gives {biggest}",
        "split it into a few plainer templates, or drop optional words",
    )


def _sentences(
    menu: Menu,
    intent: Intent,
    index: int,
    expr: Expression,
    choices: SlotChoices,
    issues: list[Issue],
) -> list[Expansion]:
    """The sentences one template accepts; what is wrong with it goes to ``issues``."""
    template, line = intent.templates[index], intent.template_line(index)
    what = f"template '{template}' of intent '{intent.id}'"
    try:
        expansions = list(expand(expr, choices))
    except ExpansionError as error:
        issues.append(_issue(intent.file, line, menu, f"template '{template}': {error}"))
        return []
    if any(GAP in expansion.words for expansion in expansions):
        message = f"{what}: '...' belongs in keywords and reject phrases, not in sentences"
        issues.append(_issue(intent.file, line, menu, message, "move the template to 'keywords:'"))
        return []
    if any(not expansion.words for expansion in expansions):
        # Silence is "no input", never an intent; the recognizer must not be offered it.
        message = f"{what} can match silence: every part of it is optional"
        issues.append(_issue(intent.file, line, menu, message, "make at least one word required"))
    return [expansion for expansion in expansions if expansion.words]


def _conflict(
    menu: Menu, first: _Entry | None, entry: _Entry, phrase: str
) -> tuple[str, str, str] | None:
    """(first template, message, hint) when ``phrase`` cannot be told apart; else None."""
    if menu.digits is not None and all(word in DIGIT_WORDS for word in phrase.split()):
        return (
            "<digits>",
            f"'{phrase}' of intent '{entry.intent}' in digits menu"
            f" '{menu.id}' would be heard as digits",
            "use words that are not digits",
        )
    if first is None:
        return None
    if first.intent != entry.intent:
        return (
            first.template,
            f"'{phrase}' is accepted by both intents '{first.intent}' and '{entry.intent}'"
            f" of menu '{menu.id}'",
            f"'{first.intent}' template '{first.template}' at {first.file}:{first.line}",
        )
    if first.slots != entry.slots:
        return (
            first.template,
            f"'{phrase}' gives different slot values in intent '{entry.intent}'"
            f" of menu '{menu.id}': {dict(first.slots)} and {dict(entry.slots)}",
            "a spoken alternative may belong to only one slot value",
        )
    return None


def _issue(file: str, line: int, menu: Menu, message: str, hint: str = "") -> Issue:
    return Issue(file, line, "error", message, hint, menu.id)


def _recognizer_grammar(menu: Menu, table: Mapping[str, _Entry]) -> RecognizerGrammar:
    intents: dict[str, list[Expression]] = {}
    used_slots: set[str] = set()
    for intent in menu.intents:
        exprs = [parse_template(template) for template in intent.templates]
        intents[intent.id] = exprs
        used_slots.update(ref.name for expr in exprs for ref in slot_names(expr))
    slots = {
        slot_list.name: [parse_template(p) for value in slot_list.values for p in value.phrases]
        for slot_list in menu.slot_lists
        if slot_list.name in used_slots
    }
    jsgf = grammar_text(f"menu_{menu.id}", intents, slots, menu.digits)
    # Vosk takes single digit words as phrases and strings them together itself.
    digit_words = list(DIGIT_WORDS) if menu.digits else []
    phrases = tuple(digit_words + list(table))
    words = frozenset(word for phrase in phrases for word in phrase.split())
    key = hashlib.sha256("\n".join(phrases).encode() + b"\0" + jsgf.encode()).hexdigest()
    return RecognizerGrammar(key=key, phrases=phrases, jsgf=jsgf, words=words)
