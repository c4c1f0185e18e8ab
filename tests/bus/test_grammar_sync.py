"""Grammar files travel between instances as whole files, by plain names only."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ivr.bus.grammar_sync import GrammarSync, apply_files, grammar_files, valid_files


def test_apply_files_writes_changed_files_and_removes_missing_ones(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text("old\n")
    (tmp_path / "gone.yaml").write_text("x\n")
    (tmp_path / "notes.txt").write_text("not a grammar\n")

    changed = apply_files(tmp_path, {"main.yaml": "new\n", "added.yml": "a\n"})

    assert changed is True
    assert grammar_files(tmp_path) == {"added.yml": "a\n", "main.yaml": "new\n"}
    assert (tmp_path / "notes.txt").exists()
    assert not list(tmp_path.glob(".sync-*")), "no temporary file is left behind"


def test_apply_files_with_equal_content_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text("same\n")
    before = (tmp_path / "main.yaml").stat().st_mtime_ns
    assert apply_files(tmp_path, {"main.yaml": "same\n"}) is False
    assert (tmp_path / "main.yaml").stat().st_mtime_ns == before


def test_a_message_naming_a_path_or_carrying_no_text_is_refused() -> None:
    assert valid_files({"files": {"../etc/passwd.yaml": "x"}}) is None
    assert valid_files({"files": {"sub/main.yaml": "x"}}) is None
    assert valid_files({"files": {"main.yaml": 3}}) is None
    assert valid_files({"files": {}}) is None
    assert valid_files({"files": {"main.yaml": "ok"}}) == {"main.yaml": "ok"}


class Registry:
    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.print = fingerprint
        self.reloads = 0

    def fingerprint(self) -> str:
        return self.print

    def reload_if_changed(self) -> bool:
        self.reloads += 1
        return True


class Bus:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def publish(self, channel: str, payload: dict[str, Any]) -> bool:
        self.sent.append((channel, payload))
        return True


def test_announce_sends_the_live_files_with_their_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text("menu\n")
    bus = Bus()
    asyncio.run(GrammarSync(Registry(tmp_path, "fp-1"), bus).announce())
    assert bus.sent == [("grammars", {"fingerprint": "fp-1", "files": {"main.yaml": "menu\n"}})]


def test_receive_writes_and_reloads_only_what_this_instance_does_not_serve(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.yaml").write_text("menu\n")
    registry = Registry(tmp_path, "fp-1")
    sync = GrammarSync(registry, Bus())

    asyncio.run(sync.receive({"fingerprint": "fp-1", "files": {"main.yaml": "other\n"}}))
    assert (tmp_path / "main.yaml").read_text() == "menu\n" and registry.reloads == 0

    asyncio.run(sync.receive({"fingerprint": "fp-2", "files": {"main.yaml": "edited\n"}}))
    assert (tmp_path / "main.yaml").read_text() == "edited\n" and registry.reloads == 1
