"""``ivr grammar test``: regression utterances kept next to the grammars, and their verdicts.

Ops keep them in ``<grammar dir>/tests/<menu>.yaml`` (a subdirectory, so the grammar loader,
which reads ``<grammar dir>/*.yaml``, never sees them)::

    menu: main
    voices: [gmw/en-us]      # optional; default: the grammar set's voice
    rates: [130, 150]        # optional speaking rates in words per minute; default: [150]
    cases:
      - say: "what is my balance"
        expect: balance      # an intent of the menu, or no_match
      - say: "the weather is nice today"
        expect: no_match
      - wav: recordings/balance-1.wav   # 16-bit mono WAV, relative to this file
        expect: balance
      - say: "two four six eight"       # digits menus
        expect: digits
        digits: "2468"
      - say: "policy"
        expect: policy
        gap: "heard as 'talk to an agent' by the grammar pass"   # a known gap, see below

A case marked ``gap:`` (with the reason) is one the hotline is known to get wrong today. It
stays in the file, is run and reported with its own pass rate, and does not fail the run;
when it starts passing, the report says so, so the mark can go. Nothing that fails is ever
simply left out.

This module is pure: it reads those files, runs cases through a ``Listen`` function given by
the caller (speech synthesis + telephone channel + both recognizer passes, see
:mod:`ivr.evaluation.listening`), judges each result as the dialog would (the intent it
understands and whether it would act, confirm or reject), and summarizes accuracy per menu
and per intent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from yaml.nodes import Node, SequenceNode

from ivr.dialog.policy import DialogPolicy, speech_action
from ivr.grammar.compiler import CompiledMenu
from ivr.grammar.errors import Issue
from ivr.grammar.model import DIGITS_INTENT, DIGITS_SLOT, GrammarSet, Menu
from ivr.grammar.yamlnodes import NodeReader, compose, line_of

TESTS_DIR = "tests"
"""Subdirectory of a grammar directory holding its regression files."""
NO_MATCH = "no_match"
"""``expect`` value for utterances the menu must not accept."""
DEFAULT_RATES = (150,)
"""Speaking rate when a file gives none: the simulator's default caller."""
SUITE_KEYS = ("menu", "voices", "rates", "cases")
CASE_KEYS = ("say", "wav", "expect", "digits", "gap")
MIN_RATE, MAX_RATE = 80, 400


@dataclass(frozen=True)
class Case:
    """One utterance and what the menu should make of it."""

    expect: str
    """An intent id, ``no_match``, or ``digits``."""
    file: str
    line: int
    say: str | None = None
    wav: Path | None = None
    digits: str | None = None
    """The digit string expected when ``expect`` is ``digits``."""
    gap: str | None = None
    """Why this case is a known gap (None: it must pass)."""

    @property
    def utterance(self) -> str:
        """How the case reads in a report."""
        return f'"{self.say}"' if self.say is not None else f"recording {self.wav}"


@dataclass(frozen=True)
class Suite:
    """The cases of one regression file, all for one menu."""

    menu: str
    file: str
    voices: tuple[str, ...]
    rates: tuple[int, ...]
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class Condition:
    """How one case is spoken: voice, rate, the line-noise seed, and which attempt it is."""

    voice: str
    rate: int
    seed: int
    attempt: int = 0
    """0 for the first try; a retry is heard through new line noise (see :func:`run_suite`)."""


@dataclass(frozen=True)
class Heard:
    """What the recognizers made of one utterance (see :class:`ivr.recognition.decide.Decision`)."""

    text: str
    confidence: float
    meaning: str
    """The sentence to interpret in the menu ("" for a no-match)."""


Listen = Callable[[Case, Condition, CompiledMenu], Heard]
"""Speak ``case`` under ``condition`` into the recognizers, listening with the menu."""


@dataclass(frozen=True)
class Attempt:
    """What the recognizers heard once, and what the dialog would make of it."""

    heard: str
    confidence: float
    got: str
    """The understood intent, or ``no_match``."""
    got_digits: str | None = None
    action: str = "act"
    """``act``, ``confirm`` ("did you say …?" first) or ``reject``."""


@dataclass(frozen=True)
class Trial:
    """One case under one condition: its attempts (more than one only after a failure)."""

    menu: str
    case: Case
    condition: Condition
    attempts: tuple[Attempt, ...]

    def correct(self, attempt: Attempt) -> bool:
        """``attempt`` is what the case expects: the intent (or digit string), acted on or
        confirmed; for ``no_match``, anything but acting on an intent."""
        if self.case.expect == NO_MATCH:
            return attempt.got == NO_MATCH or attempt.action != "act"
        if attempt.got != self.case.expect or attempt.action == "reject":
            return False
        return self.case.expect != DIGITS_INTENT or attempt.got_digits == self.case.digits

    @property
    def passed(self) -> bool:
        """The verdict: the last attempt was right (retries stop at the first right one)."""
        return self.correct(self.attempts[-1])

    @property
    def first_try_passed(self) -> bool:
        """Right at the first attempt: what accuracy figures count."""
        return self.correct(self.attempts[0])

    @property
    def flaky(self) -> bool:
        """Wrong at first, right on a retry: worth a look, not a failure."""
        return self.passed and not self.first_try_passed


# ---------------------------------------------------------------------------- reading


def load_suites(directory: str | Path, grammar_set: GrammarSet) -> tuple[list[Suite], list[Issue]]:
    """Read ``directory/tests/*.yaml``; every problem is reported with file and line."""
    tests_dir = Path(directory) / TESTS_DIR
    files = sorted([*tests_dir.glob("*.yaml"), *tests_dir.glob("*.yml")])
    if not files:
        hint = f"add {tests_dir}/<menu>.yaml (see README, 'Regression tests')"
        return [], [Issue(str(tests_dir), 0, "error", "no regression files found", hint)]
    suites: list[Suite] = []
    issues: list[Issue] = []
    for file in files:
        suite, found = _load_suite(file, grammar_set)
        issues += found
        if suite is not None:
            suites.append(suite)
    return suites, issues


def _load_suite(file: Path, grammar_set: GrammarSet) -> tuple[Suite | None, list[Issue]]:
    root, syntax = compose(file.read_text(encoding="utf-8"), str(file))
    if root is None:
        return None, syntax or [Issue(str(file), 1, "error", "file is empty")]
    reader = NodeReader(str(file))
    suite = _read_suite(reader, root, file, grammar_set)
    return suite, syntax + reader.issues


def _read_suite(reader: NodeReader, root: Node, file: Path, gs: GrammarSet) -> Suite | None:
    entries = reader.mapping(root, "the file")
    reader.check_keys(entries, SUITE_KEYS, "the file")
    values = {key: value for key, _, value in entries}
    if "menu" not in values or "cases" not in values:
        reader.error(1, "a regression file needs 'menu:' and 'cases:'")
        return None
    menu_id = reader.string(values["menu"], "menu")
    if menu_id is None:
        return None
    if menu_id not in gs.menus:
        known = ", ".join(sorted(gs.menus))
        reader.error(values["menu"], f"unknown menu '{menu_id}'", f"menus: {known}")
        return None
    menu = gs.menus[menu_id]
    voices: tuple[str, ...] = ()
    if "voices" in values:
        voices = tuple(voice for voice, _ in reader.strings(values["voices"], "voices"))
    rates = _read_rates(reader, values["rates"]) if "rates" in values else DEFAULT_RATES
    items = _sequence(reader, values["cases"], "cases")
    if not items and isinstance(values["cases"], SequenceNode):
        reader.error(values["cases"], "'cases:' lists no cases")
    cases = [case for item in items if (case := _read_case(reader, item, file, menu))]
    if not cases:
        return None  # every case's problem is reported already
    return Suite(menu_id, str(file), voices, rates, tuple(cases))


def _sequence(reader: NodeReader, node: Node, what: str) -> list[Node]:
    if not isinstance(node, SequenceNode):
        reader.error(node, f"{what} must be a list ('- ...' entries)")
        return []
    return list(node.value)


def _read_rates(reader: NodeReader, node: Node) -> tuple[int, ...]:
    rates = []
    for text, line in reader.strings(node, "rates"):
        if not text.isdigit() or not MIN_RATE <= int(text) <= MAX_RATE:
            reader.error(line, f"rate '{text}' must be words per minute, {MIN_RATE}-{MAX_RATE}")
            continue
        rates.append(int(text))
    return tuple(rates) or DEFAULT_RATES


def _recording(
    reader: NodeReader, line: int, file: Path, name: str | None
) -> tuple[bool, Path | None]:
    """(usable, the case's recording beside ``file`` or None); a missing one is reported."""
    if name is None:
        return True, None
    wav = file.parent / name
    if not wav.is_file():
        reader.error(line, f"recording {wav} not found", "paths are relative to this file")
        return False, None
    return True, wav


def _read_case(reader: NodeReader, node: Node, file: Path, menu: Menu) -> Case | None:
    line = line_of(node)
    entries = reader.mapping(node, "a case")
    reader.check_keys(entries, CASE_KEYS, "a case")
    texts = {key: reader.string(value, key) for key, _, value in entries if key in CASE_KEYS}
    if ("say" in texts) == ("wav" in texts):
        reader.error(line, "a case needs exactly one of 'say:' or 'wav:'")
        return None
    expect = texts.get("expect")
    if expect is None:
        reader.error(line, "a case needs 'expect:' (an intent, no_match or digits)")
        return None
    usable, wav = _recording(reader, line, file, texts.get("wav"))
    if not usable:
        return None
    if not _expect_ok(reader, line, expect, texts.get("digits"), menu):
        return None
    gap = texts.get("gap")
    if "gap" in texts and not gap:
        reader.error(line, "'gap:' needs the reason the case fails today")
        return None
    return Case(expect, str(file), line, texts.get("say"), wav, texts.get("digits"), gap)


def _expect_ok(reader: NodeReader, line: int, expect: str, digits: str | None, menu: Menu) -> bool:
    intents = [intent.id for intent in menu.intents]
    if expect == DIGITS_INTENT:
        spec = menu.digits
        if spec is None:
            reader.error(line, f"menu '{menu.id}' takes no digits", menu=menu.id)
            return False
        if digits is None or not digits.isdigit() or not spec.min <= len(digits) <= spec.max:
            what = f"expect: digits needs 'digits:' with {spec.min} to {spec.max} digits"
            reader.error(line, what, 'for example digits: "2468"', menu.id)
            return False
        return True
    if digits is not None:
        reader.error(line, "'digits:' goes with 'expect: digits' only", menu=menu.id)
        return False
    if expect != NO_MATCH and expect not in intents:
        choices = ", ".join([*intents, NO_MATCH] + ([DIGITS_INTENT] if menu.digits else []))
        reader.error(line, f"menu '{menu.id}' has no intent '{expect}'", choices, menu.id)
        return False
    return True


# ---------------------------------------------------------------------------- running


def judge(compiled: CompiledMenu, heard: Heard, policy: DialogPolicy | None = None) -> Attempt:
    """What the dialog makes of ``heard`` in ``compiled``'s menu, under ``policy``."""
    match = compiled.understand(heard.meaning) if heard.meaning else None
    if match is None:
        return Attempt(heard.text, heard.confidence, NO_MATCH, None, "reject")
    action = speech_action(
        policy or DialogPolicy(), compiled.menu.id, match.intent, heard.confidence
    )
    got_digits = match.slots.get(DIGITS_SLOT)
    return Attempt(heard.text, heard.confidence, match.intent, got_digits, action)


def conditions(suite: Suite, default_voice: str, repeat: int = 1) -> list[Condition]:
    """Every (voice, rate, seed) a suite's cases are spoken with; seeds vary the line noise."""
    voices = suite.voices or (default_voice,)
    return [
        Condition(voice, rate, seed)
        for voice in voices
        for rate in suite.rates
        for seed in range(repeat)
    ]


RETRY_SEED_STEP = 1000
"""Retries use seed + 1000 × attempt: line noise never heard by a first attempt."""


def run_suite(
    suite: Suite,
    compiled: CompiledMenu,
    listen: Listen,
    default_voice: str,
    repeat: int = 1,
    retries: int = 0,
) -> list[Trial]:
    """Every case of ``suite`` under every condition, judged by ``compiled``.

    A wrong result is tried again up to ``retries`` times with new line noise. Speech and
    recognition are both reproducible, so a verdict is the same on every run; a phrase
    that fails under one noise pattern only is borderline, while a phrase a grammar edit
    broke fails under all of them. Retries tell the two apart; the report still lists
    every trial that needed one.
    """
    trials = []
    every = conditions(suite, default_voice, repeat)
    for case in suite.cases:
        heard_as = every
        if case.wav is not None:
            # A recording sounds the same whatever voice or rate: only the line noise varies.
            first = every[0]
            heard_as = [c for c in every if (c.voice, c.rate) == (first.voice, first.rate)]
        for condition in heard_as:
            attempts: list[Attempt] = []
            trial = Trial(suite.menu, case, condition, ())
            while not attempts or (not trial.correct(attempts[-1]) and len(attempts) <= retries):
                n = len(attempts)
                retry = replace(condition, seed=condition.seed + RETRY_SEED_STEP * n, attempt=n)
                attempts.append(judge(compiled, listen(case, retry, compiled)))
            trials.append(replace(trial, attempts=tuple(attempts)))
    return trials


# ---------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Tally:
    """First-try passes and total trials of one menu or intent."""

    passed: int
    total: int

    @property
    def accuracy(self) -> float:
        """Passed / total, 0..1 (1.0 when there was nothing to run)."""
        return self.passed / self.total if self.total else 1.0


def tally(trials: Sequence[Trial]) -> dict[str, dict[str, Tally]]:
    """Menu -> {"*": the whole menu, intent: that intent's cases}, in first-seen order.

    Counts first attempts only: retries decide the verdict, never the accuracy figures.
    Known gaps are counted apart (:func:`report_lines`).
    """
    counts: dict[str, dict[str, list[int]]] = {}
    for trial in trials:
        if trial.case.gap is not None:
            continue
        per_menu = counts.setdefault(trial.menu, {"*": [0, 0]})
        for key in ("*", trial.case.expect):
            cell = per_menu.setdefault(key, [0, 0])
            cell[0] += int(trial.first_try_passed)
            cell[1] += 1
    return {
        menu: {key: Tally(passed, total) for key, (passed, total) in per_menu.items()}
        for menu, per_menu in counts.items()
    }


def report_lines(trials: Sequence[Trial]) -> list[str]:
    """Accuracy per menu and per intent, then every failure and every retried pass."""
    lines = [f"{'menu / expected':<28}{'passed':>8}{'total':>7}{'accuracy':>10}"]
    overall = [0, 0]
    for menu, per_key in tally(trials).items():
        for key, counts in per_key.items():
            label = menu if key == "*" else f"  {key}"
            lines.append(f"{label:<28}{counts.passed:>8}{counts.total:>7}{counts.accuracy:>10.1%}")
        overall[0] += per_key["*"].passed
        overall[1] += per_key["*"].total
    everything = Tally(overall[0], overall[1])
    lines.append(
        f"{'all':<28}{everything.passed:>8}{everything.total:>7}{everything.accuracy:>10.1%}"
    )
    gaps = [trial for trial in trials if trial.case.gap is not None]
    if gaps:
        passing = [trial for trial in gaps if trial.first_try_passed]
        lines.append(
            f"{'known gaps':<28}{len(passing):>8}{len(gaps):>7}{len(passing) / len(gaps):>10.1%}"
        )
    failures = [t for t in trials if not t.passed and t.case.gap is None]
    lines.append(f"failures: {len(failures)}")
    lines += [f"  {attempt_line(trial, trial.attempts[-1])}" for trial in failures]
    flaky = [trial for trial in trials if trial.flaky and trial.case.gap is None]
    if flaky:
        lines.append(f"passed only on a retry: {len(flaky)}")
        lines += [f"  {attempt_line(trial, trial.attempts[0])}" for trial in flaky]
    if gaps:
        still = [t for t in gaps if not t.first_try_passed]
        lines.append(f"known gaps still failing: {len(still)} (they do not fail the run)")
        lines += [f"  {attempt_line(t, t.attempts[0])} [known gap]" for t in still]
        # A gap is fixed when every trial of its case passes (all voices, rates, seeds).
        by_case: dict[tuple[str, int], list[Trial]] = {}
        for t in gaps:
            by_case.setdefault((t.case.file, t.case.line), []).append(t)
        fixed = [ts[0] for ts in by_case.values() if all(t.first_try_passed for t in ts)]
        if fixed:
            lines.append(f"known gaps now passing: {len(fixed)} (remove their 'gap:' mark)")
            lines += [f"  {t.case.file}:{t.case.line}: {t.case.utterance}" for t in fixed]
    return lines


def failed(trials: Sequence[Trial]) -> bool:
    """The run fails on any case that is not a known gap and did not pass."""
    return not trials or any(not t.passed and t.case.gap is None for t in trials)


def attempt_line(trial: Trial, attempt: Attempt) -> str:
    """``file:line: utterance (voice, rate, seed): expected X, heard "…" (confidence) -> Y``."""
    case, cond = trial.case, trial.condition
    expected = f"digits {case.digits}" if case.expect == DIGITS_INTENT else case.expect
    got = f"digits {attempt.got_digits}" if attempt.got == DIGITS_INTENT else attempt.got
    how = f"seed {cond.seed}" if case.wav else f"{cond.voice}, {cond.rate} wpm, seed {cond.seed}"
    tries = f", {len(trial.attempts)} attempts" if len(trial.attempts) > 1 else ""
    acted = "" if attempt.action == "act" or attempt.got == NO_MATCH else f" ({attempt.action})"
    return (
        f"{case.file}:{case.line}: {case.utterance} ({how}{tries}): expected {expected},"
        f' heard "{attempt.heard}" (confidence {attempt.confidence:.2f}) -> {got}{acted}'
    )


def uncovered_menus(compiled: Mapping[str, CompiledMenu], suites: Sequence[Suite]) -> list[str]:
    """Menus of ``compiled`` that no suite covers (a gap ops should close)."""
    covered = {suite.menu for suite in suites}
    return [menu for menu in compiled if menu not in covered]
