"""``ivr grammar check|try|sample|test``: the ops tools for editing menu grammars safely.

Thin: argument parsing and printing. The work is in :mod:`ivr.grammar` (check, sampler,
regression) and the recognizer choice in :mod:`ivr.evaluation.recognizers`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ivr.grammar.errors import Issue
from ivr.settings import SpeechSettings, load_section

if TYPE_CHECKING:  # imported where used: ``ivr grammar check`` must not load speech engines
    from ivr.evaluation.listening import PhoneListener
    from ivr.grammar.compiler import CompiledMenu
    from ivr.grammar.regression import Suite, Trial
    from ivr.tts.synth import Synthesizer


def add_grammar_commands(sub: Any) -> None:
    """Register ``ivr grammar …`` on the top-level subparsers ``sub``."""
    grammar = sub.add_parser("grammar", help="menu grammars: check, try, sample, test, eval")
    gsub = grammar.add_subparsers(dest="grammar_command", required=True)
    check = gsub.add_parser("check", help="validate grammar files, dialog fit and vocabulary")
    check.add_argument("dir", nargs="?", default=None, help="a grammar set or a folder of sets")
    check.add_argument(
        "--no-vocab", action="store_true", help="skip the recognizer vocabulary check"
    )
    tryp = gsub.add_parser("try", help="show what a menu makes of a sentence, and why")
    tryp.add_argument("menu")
    tryp.add_argument("text")
    tryp.add_argument("--dir", default=None, help="grammar set (default: IVR_GRAMMAR_DIR)")
    sample = gsub.add_parser("sample", help="list the sentences a menu accepts, by intent")
    sample.add_argument("menu")
    sample.add_argument("--limit", type=int, default=10, help="sentences shown per intent")
    sample.add_argument("--all", action="store_true", help="show every sentence")
    sample.add_argument("--dir", default=None, help="grammar set (default: IVR_GRAMMAR_DIR)")
    test = gsub.add_parser(
        "test", help="speak the regression utterances in DIR/tests to the real recognizer"
    )
    test.add_argument("dir", nargs="?", default=None, help="a grammar set or a folder of sets")
    test.add_argument("--menu", default=None, help="only this menu's regression file")
    test.add_argument(
        "--repeat", type=int, default=1, help="speak each case N times with different line noise"
    )
    test.add_argument(
        "--retries",
        type=int,
        default=0,
        help="re-speak a wrong result up to N times before calling it a failure (CI: 2)",
    )
    evalp = gsub.add_parser(
        "eval",
        help="hear labelled recordings (a file,expected[,menu] CSV) as calls would: accuracy,"
        " wrong intents acted on, rejection, confusion matrix",
    )
    evalp.add_argument("manifest", type=Path)
    evalp.add_argument("--dir", default=None, help="grammar set (default: IVR_GRAMMAR_DIR)")
    evalp.add_argument(
        "--second-pass",
        choices=("auto", "on", "off"),
        default=None,
        help="override IVR_SECOND_PASS (compare with and without the free-form pass)",
    )
    evalp.add_argument("--errors", type=int, default=20, help="wrong or missed trials listed")


def run_grammar(args: argparse.Namespace) -> int:
    """Run the ``ivr grammar`` subcommand in ``args``; the exit status."""
    directory = Path(args.dir) if args.dir else load_section(SpeechSettings).grammar_dir
    if args.grammar_command == "check":
        return _check(directory, vocab=not args.no_vocab)
    if args.grammar_command == "test":
        return _test(directory, args.menu, max(1, args.repeat), max(0, args.retries))
    if args.grammar_command == "eval":
        return _eval(directory, args.manifest, args.second_pass, max(0, args.errors))
    return _explore(directory, args)


def grammar_dirs(directory: Path) -> list[Path]:
    """``directory`` itself when it holds grammar files, else its subdirectories (one per set)."""
    if any(directory.glob("*.yaml")) or any(directory.glob("*.yml")) or not directory.is_dir():
        return [directory]
    return sorted(d for d in directory.iterdir() if d.is_dir())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _check(directory: Path, *, vocab: bool) -> int:
    from ivr.asr.base import SpeechEngine
    from ivr.evaluation.recognizers import vocabulary_engines
    from ivr.grammar.check import check_grammar_dir
    from ivr.grammar.loader import analyse_grammar_dir
    from ivr.grammar.regression import TESTS_DIR, load_suites

    env = load_section(SpeechSettings)
    engines_for: dict[str, tuple[list[SpeechEngine], str | None]] = {}
    issues: list[Issue] = []
    dirs = grammar_dirs(directory)
    for d in dirs:
        grammar_set, _ = analyse_grammar_dir(d)
        engines: list[SpeechEngine] = []
        if vocab and grammar_set is not None:
            language = grammar_set.language
            if language not in engines_for:
                engines_for[language] = vocabulary_engines(language, env)
            engines, note = engines_for[language]
            if note:
                print(f"{d}: note: {note}")
        issues += check_grammar_dir(d, engines)
        if grammar_set is not None and (d / TESTS_DIR).is_dir():
            issues += load_suites(d, grammar_set)[1]
    for issue in issues:
        print(issue)
    errors = sum(1 for issue in issues if issue.is_error)
    checked = f"{len(dirs)} grammar {'directory' if len(dirs) == 1 else 'directories'}"
    print(
        f"{checked} checked: {_plural(errors, 'error')}, {_plural(len(issues) - errors, 'warning')}"
    )
    return 1 if errors else 0


def _explore(directory: Path, args: argparse.Namespace) -> int:
    from ivr.grammar import GrammarError, compile_menu, load_grammar_dir
    from ivr.grammar.sampler import sample_lines, try_text

    try:
        gs = load_grammar_dir(directory)
    except GrammarError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.menu not in gs.menus:
        print(f"unknown menu {args.menu!r}; menus: {', '.join(sorted(gs.menus))}", file=sys.stderr)
        return 2
    compiled = compile_menu(gs.menu(args.menu))
    if args.grammar_command == "try":
        print(try_text(compiled, args.text))
        return 0 if compiled.understand(args.text) is not None else 1
    for line in sample_lines(compiled, None if args.all else max(1, args.limit)):
        print(line)
    return 0


def _test(directory: Path, only_menu: str | None, repeat: int, retries: int) -> int:
    from ivr.tts.espeak import EspeakSynthesizer

    env = load_section(SpeechSettings)
    # Reproducible callers: the same suite gives the same verdicts on every run.
    synth = EspeakSynthesizer()
    try:
        results = [
            _test_set(d, env, synth, only_menu, repeat, retries) for d in grammar_dirs(directory)
        ]
    finally:
        synth.close()
    return 0 if all(results) else 1


def _test_set(
    d: Path,
    env: SpeechSettings,
    synth: Synthesizer,
    only_menu: str | None,
    repeat: int,
    retries: int,
) -> bool:
    """Run one grammar set's regression files; whether every case passed."""
    from ivr.asr.errors import EngineError
    from ivr.asr.select import load_engine
    from ivr.evaluation.listening import PhoneListener
    from ivr.evaluation.recognizers import free_pass_for, regression_plan
    from ivr.grammar import GrammarError, compile_grammar_set, load_grammar_dir
    from ivr.grammar.regression import failed, load_suites, report_lines, uncovered_menus

    started = time.monotonic()
    try:
        gs = load_grammar_dir(d)
        plan = regression_plan(gs.language, env)
        engine = load_engine(plan)
        free = free_pass_for(gs.language, env.second_pass, env)
    except (GrammarError, EngineError) as exc:
        print(f"{d}: {exc}", file=sys.stderr)
        return False
    suites, issues = load_suites(d, gs)
    for issue in issues:
        print(issue, file=sys.stderr)
    if any(issue.is_error for issue in issues):
        return False
    if only_menu is not None:
        suites = [suite for suite in suites if suite.menu == only_menu]
    compiled = compile_grammar_set(gs)
    second = free.engine.describe() if free is not None else "off"
    print(f"{d}: {sum(len(s.cases) for s in suites)} utterances, engine {plan.reason}")
    print(f"{d}: second pass {second}")
    listener = PhoneListener(synth, engine, free)
    trials = _trials(suites, compiled, listener, gs.voice or "gmw/en-us", repeat, retries)
    for line in report_lines(trials):
        print(line)
    if only_menu is None:
        for menu in uncovered_menus(compiled, suites):
            print(f"{d}: warning: menu '{menu}' has no regression file")
    print(f"{d}: {len(trials)} trials in {time.monotonic() - started:.1f} s")
    return not failed(trials)


def _trials(
    suites: list[Suite],
    compiled: Mapping[str, CompiledMenu],
    listener: PhoneListener,
    voice: str,
    repeat: int,
    retries: int,
) -> list[Trial]:
    from ivr.grammar.regression import run_suite

    return [
        trial
        for suite in suites
        for trial in run_suite(suite, compiled[suite.menu], listener, voice, repeat, retries)
    ]


def _eval(directory: Path, manifest: Path, second_pass: str | None, errors: int) -> int:
    from ivr.asr.errors import EngineError
    from ivr.asr.select import load_engine
    from ivr.evaluation.manifest import ManifestError, read_manifest
    from ivr.evaluation.recognizers import free_pass_for, regression_plan
    from ivr.evaluation.runner import Listener
    from ivr.evaluation.scoring import report_lines, summarize
    from ivr.grammar import GrammarError, compile_grammar_set, load_grammar_dir

    env = load_section(SpeechSettings)
    try:
        samples = read_manifest(manifest)
        gs = load_grammar_dir(directory)
        plan = regression_plan(gs.language, env)
        engine = load_engine(plan)
        free = free_pass_for(gs.language, second_pass or env.second_pass, env)
    except (ManifestError, GrammarError, EngineError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    menus = compile_grammar_set(gs)
    unknown = sorted({s.menu for s in samples} - set(menus))
    if unknown:
        print(f"{manifest}: unknown menu(s) {', '.join(unknown)} in {directory}", file=sys.stderr)
        return 2
    pass_name = free.engine.describe() if free is not None else "off"
    print(f"{manifest}: {len(samples)} recordings")
    print(f"grammar pass: {plan.reason}")
    print(f"second pass: {pass_name}")
    started = time.monotonic()
    trials = list(Listener(engine, free).trials(samples, menus))
    for line in report_lines(summarize(trials)):
        print(line)
    bad = [t for t in trials if t.outcome in ("wrong_acted", "wrong_confirmed")]
    bad += [t for t in trials if t.outcome == "rejected" and t.sample.kind != "oos"]
    if bad and errors:
        print(f"first {min(errors, len(bad))} of {len(bad)} wrong or missed:")
        for t in bad[:errors]:
            decided = t.decided or "-"
            print(
                f"  {t.outcome:15} {t.sample.menu}/{t.sample.expected} -> {decided} "
                f"[{t.reason}] heard {t.heard!r}  ({t.sample.file.name})"
            )
    cpu = sum(t.cpu_s for t in trials) / max(1, len(trials))
    print(
        f"{len(trials)} recordings in {time.monotonic() - started:.1f} s, {cpu * 1000:.0f} ms"
        " CPU per recording"
    )
    return 0
