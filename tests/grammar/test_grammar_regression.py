"""The regression core: reading ``tests/<menu>.yaml``, judging what was heard, reporting.

Pure logic, so the recognizer is a fake here (a dict from utterance to transcript); the real
speech path is exercised in test_grammar_listening.py and test_grammar_cli.py.
"""

from __future__ import annotations

import textwrap
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.grammar import GrammarSet, compile_menu, load_grammar_dir
from ivr.grammar.compiler import CompiledMenu
from ivr.grammar.regression import (
    Case,
    Condition,
    Heard,
    Suite,
    failed,
    load_suites,
    report_lines,
    run_suite,
    tally,
)

WriteGrammar = Callable[..., Path]


@pytest.fixture
def grammar_dir(write_grammar: WriteGrammar, full_yaml: str) -> Path:
    return write_grammar(main=full_yaml)


@pytest.fixture
def grammar_set(grammar_dir: Path) -> GrammarSet:
    return load_grammar_dir(grammar_dir)


def write_tests(grammar_dir: Path, **files: str) -> Path:
    tests = grammar_dir / "tests"
    tests.mkdir(exist_ok=True)
    for name, text in files.items():
        (tests / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tests


MAIN_TESTS = """\
    menu: main
    rates: [130, 150]
    cases:
      - say: "what is my balance"
        expect: balance
      - say: "the weather is nice today"
        expect: no_match
    """


def test_regression_load_reads_cases_with_their_lines(
    grammar_dir: Path, grammar_set: GrammarSet
) -> None:
    write_tests(grammar_dir, main=MAIN_TESTS)
    suites, issues = load_suites(grammar_dir, grammar_set)
    assert issues == []
    (suite,) = suites
    assert (suite.menu, suite.voices, suite.rates) == ("main", (), (130, 150))
    assert [(c.say, c.expect, c.line) for c in suite.cases] == [
        ("what is my balance", "balance", 4),
        ("the weather is nice today", "no_match", 6),
    ]


def test_regression_load_grammar_loader_ignores_the_tests_subdirectory(
    grammar_dir: Path, grammar_set: GrammarSet
) -> None:
    write_tests(grammar_dir, main=MAIN_TESTS)
    assert load_grammar_dir(grammar_dir).fingerprint == grammar_set.fingerprint


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("- say: hello\n  expect: weather", "menu 'main' has no intent 'weather'"),
        ("- say: hello", "a case needs 'expect:'"),
        ("- say: hi\n  wav: a.wav\n  expect: balance", "exactly one of 'say:' or 'wav:'"),
        ("- wav: missing.wav\n  expect: balance", "not found"),
        ("- say: one two\n  expect: digits\n  digits: '12'", "menu 'main' takes no digits"),
        ("- say: hi\n  expect: balance\n  digits: '12'", "'digits:' goes with 'expect: digits'"),
        ("- say: hi\n  expect: balance\n  sey: typo", "unknown key 'sey' in a case"),
    ],
)
def test_regression_load_bad_case_is_reported_at_its_line(
    grammar_dir: Path, grammar_set: GrammarSet, case: str, message: str
) -> None:
    text = "menu: main\ncases:\n" + textwrap.indent(case, "  ") + "\n"
    write_tests(grammar_dir, main=text)
    _, issues = load_suites(grammar_dir, grammar_set)
    assert issues and all(i.is_error for i in issues)
    assert any(message in i.message for i in issues), [str(i) for i in issues]
    assert issues[0].line in (2, 3, 4, 5) and issues[0].file.endswith("tests/main.yaml")


def test_regression_load_digits_case_needs_a_valid_digit_string(
    grammar_dir: Path, grammar_set: GrammarSet
) -> None:
    text = "menu: pin\ncases:\n  - say: one two\n    expect: digits\n    digits: '12'\n"
    write_tests(grammar_dir, pin=text)
    _, issues = load_suites(grammar_dir, grammar_set)
    assert [(i.line, i.message) for i in issues] == [
        (3, "expect: digits needs 'digits:' with 4 to 4 digits")
    ]


def test_regression_load_unknown_menu_lists_the_menus(
    grammar_dir: Path, grammar_set: GrammarSet
) -> None:
    write_tests(grammar_dir, holidays="menu: holidays\ncases:\n  - {say: hi, expect: no_match}\n")
    _, issues = load_suites(grammar_dir, grammar_set)
    assert [(i.line, i.message) for i in issues] == [(1, "unknown menu 'holidays'")]
    assert "account_number, anything_else, confirm, main" in issues[0].hint


def test_regression_load_bad_rate_and_yaml_syntax_are_reported(
    grammar_dir: Path, grammar_set: GrammarSet
) -> None:
    write_tests(
        grammar_dir,
        main="menu: main\nrates: [fast]\ncases:\n  - {say: balance, expect: balance}\n",
        confirm="menu: confirm\ncases: [\n",
    )
    _, issues = load_suites(grammar_dir, grammar_set)
    assert [(Path(i.file).name, i.line) for i in issues] == [("confirm.yaml", 3), ("main.yaml", 2)]
    assert "YAML syntax error" in issues[0].message
    assert issues[1].message == "rate 'fast' must be words per minute, 80-400"


def test_regression_load_without_files_is_an_error(
    grammar_dir: Path, grammar_set: GrammarSet
) -> None:
    _, issues = load_suites(grammar_dir, grammar_set)
    assert [(i.severity, i.message) for i in issues] == [("error", "no regression files found")]


def _fake_listen(
    heard: dict[str, str],
) -> Callable[[Case, Condition, CompiledMenu], Heard]:
    """Recognizers that hear ``heard[say]`` (the same under every condition)."""

    def listen(case: Case, condition: Condition, menu: CompiledMenu) -> Heard:
        assert menu.recognizer.phrases, "the menu's grammar must constrain the recognizer"
        text = heard[case.say or ""]
        return Heard(text, 0.8 if case.say else 0.0, text)

    return listen


def test_regression_run_judges_each_case_under_each_condition(grammar_set: GrammarSet) -> None:
    suite = Suite(
        "main",
        "main.yaml",
        ("v1", "v2"),
        (130, 150),
        (
            Case("balance", "main.yaml", 3, say="what is my balance"),
            Case("no_match", "main.yaml", 5, say="the weather"),
        ),
    )
    compiled = compile_menu(grammar_set.menu("main"))
    listen = _fake_listen({"what is my balance": "my balance", "the weather": "balance"})
    trials = run_suite(suite, compiled, listen, "default-voice", repeat=2)
    assert len(trials) == 2 * 2 * 2 * 2  # cases x voices x rates x repeats
    assert {(t.case.line, t.attempts[0].got, t.passed) for t in trials} == {
        (3, "balance", True),
        (5, "balance", False),
    }
    assert {t.condition.seed for t in trials} == {0, 1}


def test_regression_run_recording_is_heard_once_per_seed(
    grammar_set: GrammarSet, tmp_path: Path
) -> None:
    recording = tmp_path / "r.wav"
    with wave.open(str(recording), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0" * 800)
    suite = Suite("main", "m.yaml", (), (130, 150), (Case("balance", "m.yaml", 2, wav=recording),))
    compiled = compile_menu(grammar_set.menu("main"))
    trials = run_suite(suite, compiled, _fake_listen({"": ""}), "voice", repeat=3)
    assert [t.condition.seed for t in trials] == [0, 1, 2]
    assert all(t.attempts[0].got == "no_match" and not t.passed for t in trials)


def test_regression_run_digits_must_match_the_expected_string(grammar_set: GrammarSet) -> None:
    suite = Suite(
        "pin",
        "pin.yaml",
        (),
        (150,),
        (
            Case("digits", "pin.yaml", 3, say="right", digits="2468"),
            Case("digits", "pin.yaml", 6, say="wrong", digits="2468"),
        ),
    )
    compiled = compile_menu(grammar_set.menu("pin"))
    listen = _fake_listen({"right": "two four six eight", "wrong": "two four eight eight"})
    trials = run_suite(suite, compiled, listen, "voice")
    assert [(t.attempts[0].got, t.attempts[0].got_digits, t.passed) for t in trials] == [
        ("digits", "2468", True),
        ("digits", "2488", False),
    ]
    (failure,) = [line for line in report_lines(trials) if "pin.yaml:6" in line]
    assert failure.strip() == (
        'pin.yaml:6: "wrong" (voice, 150 wpm, seed 0): expected digits 2468,'
        ' heard "two four eight eight" (confidence 0.80) -> digits 2488'
    )


def test_regression_report_gives_accuracy_per_menu_and_per_intent(
    grammar_set: GrammarSet,
) -> None:
    suite = Suite(
        "main",
        "main.yaml",
        (),
        (150,),
        (
            Case("balance", "main.yaml", 3, say="a"),
            Case("balance", "main.yaml", 5, say="b"),
            Case("no_match", "main.yaml", 7, say="c"),
        ),
    )
    compiled = compile_menu(grammar_set.menu("main"))
    trials = run_suite(suite, compiled, _fake_listen({"a": "balance", "b": "", "c": ""}), "v")
    counts = tally(trials)["main"]
    assert (counts["*"].passed, counts["*"].total) == (2, 3)
    assert counts["balance"].accuracy == 0.5 and counts["no_match"].accuracy == 1.0
    lines = report_lines(trials)
    assert [line.split() for line in lines[1:5]] == [
        ["main", "2", "3", "66.7%"],
        ["balance", "1", "2", "50.0%"],
        ["no_match", "1", "1", "100.0%"],
        ["all", "2", "3", "66.7%"],
    ]
    assert lines[5] == "failures: 1"
    assert 'main.yaml:5: "b"' in lines[6] and 'heard ""' in lines[6]


def test_regression_shipped_files_cover_every_shipped_menu() -> None:
    root = Path(__file__).resolve().parents[2] / "grammars"
    for language in ("en", "ko"):
        grammar_set = load_grammar_dir(root / language)
        suites, issues = load_suites(root / language, grammar_set)
        assert [str(issue) for issue in issues] == []
        assert {suite.menu for suite in suites} == set(grammar_set.menus), language


def test_regression_retry_respeaks_a_wrong_result_and_reports_it_as_flaky(
    grammar_set: GrammarSet,
) -> None:
    suite = Suite("main", "main.yaml", (), (150,), (Case("balance", "main.yaml", 3, say="x"),))
    seen: list[Condition] = []

    def listen(case: Case, condition: Condition, menu: CompiledMenu) -> Heard:
        seen.append(condition)
        text = "balance" if condition.attempt == 1 else ""
        return Heard(text, 0.7, text)

    compiled = compile_menu(grammar_set.menu("main"))
    (trial,) = run_suite(suite, compiled, listen, "voice", retries=2)
    assert trial.passed and trial.flaky and not trial.first_try_passed
    assert [(c.attempt, c.seed) for c in seen] == [(0, 0), (1, 1000)]
    lines = report_lines([trial])
    assert [line.split()[1:] for line in lines[1:3]] == [["0", "1", "0.0%"], ["0", "1", "0.0%"]]
    assert lines[4:] == [
        "failures: 0",
        "passed only on a retry: 1",
        '  main.yaml:3: "x" (voice, 150 wpm, seed 0, 2 attempts): expected balance,'
        ' heard "" (confidence 0.70) -> no_match',
    ]


def test_regression_retry_consistent_failure_stays_a_failure(grammar_set: GrammarSet) -> None:
    suite = Suite("main", "main.yaml", (), (150,), (Case("policy", "main.yaml", 3, say="x"),))
    compiled = compile_menu(grammar_set.menu("main"))
    (trial,) = run_suite(suite, compiled, _fake_listen({"x": "balance"}), "voice", retries=2)
    assert not trial.passed and len(trial.attempts) == 3
    assert "failures: 1" in report_lines([trial])


def test_regression_known_gap_is_run_reported_apart_and_does_not_fail(
    grammar_set: GrammarSet,
) -> None:
    suite = Suite(
        "main",
        "main.yaml",
        (),
        (150,),
        (
            Case("balance", "main.yaml", 3, say="balance please"),
            Case("balance", "main.yaml", 5, say="bal", gap="heard as nothing"),
            Case("balance", "main.yaml", 7, say="my balance", gap="used to fail"),
        ),
    )
    compiled = compile_menu(grammar_set.menu("main"))
    heard = {"balance please": "balance", "bal": "", "my balance": "balance"}
    trials = run_suite(suite, compiled, _fake_listen(heard), "voice")
    assert not failed(trials)
    text = "\n".join(report_lines(trials))
    gap_row = next(line for line in text.splitlines() if line.startswith("known gaps "))
    assert gap_row.split()[2:] == ["1", "2", "50.0%"]
    assert "known gaps still failing: 1 (they do not fail the run)" in text
    assert 'main.yaml:5: "bal"' in text and "[known gap]" in text
    assert "known gaps now passing: 1 (remove their 'gap:' mark)" in text
    assert "failures: 0" in text


def test_regression_out_of_scope_case_passes_unless_acted_on(grammar_set: GrammarSet) -> None:
    suite = Suite("main", "m.yaml", (), (150,), (Case("no_match", "m.yaml", 2, say="weather"),))
    compiled = compile_menu(grammar_set.menu("main"))

    def listen_at(confidence: float) -> Callable[[Case, Condition, CompiledMenu], Heard]:
        return lambda case, condition, menu: Heard("balance", confidence, "balance")

    # Asked "did you say your balance?" is not acting on it; doing it is.
    (confirmed,) = run_suite(suite, compiled, listen_at(0.5), "voice")
    (acted,) = run_suite(suite, compiled, listen_at(0.9), "voice")
    assert confirmed.passed and confirmed.attempts[0].action == "confirm"
    assert not acted.passed and failed([acted])
