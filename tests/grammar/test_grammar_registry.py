"""Hot reload at the registry level: valid edits go live, invalid ones are refused and logged."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.app.grammar_registry import GrammarRegistry, GrammarSnapshot
from ivr.grammar import GrammarError, GrammarSet, Issue
from ivr.grammar.check import check_grammar_set
from tests.grammar.grammar_texts import line_with

WriteGrammar = Callable[..., Path]
NEW_PHRASE = '          - "[my] balance"\n          - "how much money do i have"\n'


def _edit(directory: Path, old: str, new: str) -> Path:
    file = directory / "main.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return file


def _contract(gs: GrammarSet) -> list[Issue]:
    return check_grammar_set(gs)


def test_registry_valid_edit_goes_live_with_the_new_phrase(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    directory = write_grammar(main=full_yaml)
    registry = GrammarRegistry(directory)
    before = registry.fingerprint()
    assert registry.compiled()["main"].match("how much money do i have") is None
    _edit(directory, '          - "[my] balance"\n', NEW_PHRASE)
    assert registry.reload_if_changed() is True
    match = registry.compiled()["main"].match("how much money do i have")
    assert match is not None and match.intent == "balance"
    assert registry.fingerprint() != before and registry.last_error is None


def test_registry_unchanged_files_do_not_reload(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    directory = write_grammar(main=full_yaml)
    calls: list[GrammarSnapshot] = []
    registry = GrammarRegistry(directory, on_change=calls.append)
    os.utime(directory / "main.yaml")  # saved again without changes
    assert registry.reload_if_changed() is False
    assert calls == []


def test_registry_invalid_edit_is_refused_and_logged_with_file_and_line(
    write_grammar: WriteGrammar, full_yaml: str, caplog: pytest.LogCaptureFixture
) -> None:
    directory = write_grammar(main=full_yaml)
    registry = GrammarRegistry(directory)
    before = registry.fingerprint()
    file = _edit(directory, '          - "[my] balance"\n', '          - "[my balance"\n')
    with caplog.at_level(logging.ERROR, logger="ivr.grammar"):
        assert registry.reload_if_changed() is False
    assert registry.fingerprint() == before
    assert registry.compiled()["main"].match("my balance") is not None
    line = line_with(file.read_text(encoding="utf-8"), "[my balance")
    assert f"{file}:{line}: error: template '[my balance'" in caplog.text
    assert "previous grammars keep serving" in caplog.text
    assert registry.last_error is not None and registry.last_error.issues[0].line == line


def test_registry_invalid_edit_undone_clears_the_error_without_a_swap(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    directory = write_grammar(main=full_yaml)
    calls: list[GrammarSnapshot] = []
    registry = GrammarRegistry(directory, on_change=calls.append)
    _edit(directory, '"[my] balance"', '"[my balance"')
    registry.reload_if_changed()
    _edit(directory, '"[my balance"', '"[my] balance"')
    assert registry.reload_if_changed() is False
    assert registry.last_error is None and calls == []


def test_registry_validator_error_refuses_an_edit_that_loads(
    write_grammar: WriteGrammar, full_yaml: str, caplog: pytest.LogCaptureFixture
) -> None:
    directory = write_grammar(main=full_yaml)
    registry = GrammarRegistry(directory, validate=_contract)
    # Renaming the confirm menu loads fine, but the dialog would fail on every unsure answer.
    _edit(directory, "  confirm:\n", "  confirmation:\n")
    with caplog.at_level(logging.ERROR, logger="ivr.grammar"):
        assert registry.reload_if_changed() is False
    assert "confirm" in registry.compiled()
    assert "menu 'confirm' is missing" in caplog.text


def test_registry_validator_warnings_are_logged_but_do_not_block(
    write_grammar: WriteGrammar, full_yaml: str, caplog: pytest.LogCaptureFixture
) -> None:
    directory = write_grammar(main=full_yaml)
    registry = GrammarRegistry(directory, validate=_contract)
    _edit(directory, '  greeting: "Welcome to the bank."', '  greting: "Hello."')
    with caplog.at_level(logging.WARNING, logger="ivr.grammar"):
        assert registry.reload_if_changed() is True
    assert "unknown message 'greting'" in caplog.text
    assert registry.snapshot().grammar_set.messages == {"greting": "Hello."}


def test_registry_on_change_runs_before_the_new_grammars_serve(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    directory = write_grammar(main=full_yaml)
    seen: list[tuple[str, str]] = []
    registry: GrammarRegistry

    def on_change(snapshot: GrammarSnapshot) -> None:
        # E.g. render prompts: the calls must still be served the old grammars meanwhile.
        seen.append((registry.fingerprint(), snapshot.grammar_set.fingerprint))

    registry = GrammarRegistry(directory, on_change=on_change)
    old = registry.fingerprint()
    _edit(directory, "Say balance or press 1.", "Say balance, or press 1.")
    assert registry.reload_if_changed() is True
    assert seen == [(old, registry.fingerprint())]


def test_registry_failed_on_change_keeps_old_grammars_and_retries(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    directory = write_grammar(main=full_yaml)
    attempts: list[str] = []

    def flaky_render(snapshot: GrammarSnapshot) -> None:
        attempts.append(snapshot.grammar_set.fingerprint)
        if len(attempts) == 1:
            raise RuntimeError("speech worker died")

    registry = GrammarRegistry(directory, on_change=flaky_render)
    old = registry.fingerprint()
    _edit(directory, "Say balance or press 1.", "Say balance, or press 1.")
    with pytest.raises(RuntimeError):
        registry.reload_if_changed()
    assert registry.fingerprint() == old
    assert registry.reload_if_changed() is True
    assert registry.fingerprint() == attempts[0] == attempts[1] != old


def test_registry_invalid_grammar_at_start_raises(
    write_grammar: WriteGrammar, full_yaml: str
) -> None:
    directory = write_grammar(main=full_yaml.replace('"[my] balance"', '"[my balance"'))
    with pytest.raises(GrammarError, match="never closed"):
        GrammarRegistry(directory)
