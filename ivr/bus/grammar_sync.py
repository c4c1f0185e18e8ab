"""Grammar edits that went live on one instance reach every other one.

The instance whose files changed (and passed its checks) sends the grammar files
themselves; each other instance writes them into its own grammar directory and reloads
through the same path as a local edit, so it checks them against its own engine and
refuses what it cannot serve — the previous grammars keep serving there. Writing the
files, rather than only a "reload" hint, is what lets hosts that share no disk agree;
on hosts that do share one, the files are already equal and nothing is written.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("ivr.grammar")

CHANNEL = "grammars"
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml$")
"""Only plain grammar file names are accepted: a message can never name a path."""
MAX_TOTAL_BYTES = 4 * 1024 * 1024


class Registry(Protocol):
    """What the sync needs of :class:`ivr.app.grammar_registry.GrammarRegistry`."""

    directory: Path

    def fingerprint(self) -> str: ...

    def reload_if_changed(self) -> bool: ...


class Publisher(Protocol):
    """What the sync needs of :class:`ivr.bus.redis_bus.RedisBus`."""

    async def publish(self, channel: str, payload: dict[str, Any]) -> bool: ...


def grammar_files(directory: Path) -> dict[str, str]:
    """The grammar files the registry loads: top-level YAML, by name."""
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    return {f.name: f.read_text(encoding="utf-8") for f in files if FILE_NAME.match(f.name)}


def apply_files(directory: Path, files: dict[str, str]) -> bool:
    """Make ``directory``'s grammar files exactly ``files``; True when anything changed.
    Each file is replaced atomically, so a reload never reads half a file."""
    current = grammar_files(directory)
    changed = False
    for name, text in files.items():
        if current.get(name) != text:
            _write_atomically(directory / name, text)
            changed = True
    for name in current.keys() - files.keys():
        (directory / name).unlink(missing_ok=True)
        changed = True
    return changed


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sync-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def valid_files(payload: dict[str, Any]) -> dict[str, str] | None:
    """The payload's files when every name is a plain grammar file and the size sane."""
    files = payload.get("files")
    if not isinstance(files, dict) or not files:
        return None
    if not all(isinstance(k, str) and FILE_NAME.match(k) for k in files):
        return None
    if not all(isinstance(v, str) for v in files.values()):
        return None
    if sum(len(v) for v in files.values()) > MAX_TOTAL_BYTES:
        return None
    return files


class GrammarSync:
    """Announces this instance's live edits and applies the other instances' ones."""

    def __init__(self, registry: Registry, bus: Publisher) -> None:
        self._registry = registry
        self._bus = bus

    async def announce(self) -> None:
        """Send the grammar files now live here to the other instances."""
        files = await asyncio.to_thread(grammar_files, self._registry.directory)
        payload = {"fingerprint": self._registry.fingerprint(), "files": files}
        await self._bus.publish(CHANNEL, payload)

    async def receive(self, payload: dict[str, Any]) -> None:
        """Write another instance's live files here and reload them (checked as usual)."""
        if payload.get("fingerprint") == self._registry.fingerprint():
            return
        files = valid_files(payload)
        if files is None:
            log.warning("grammar sync: ignored a message with unexpected files")
            return
        directory = self._registry.directory
        if await asyncio.to_thread(apply_files, directory, files):
            log.info("grammar sync: files from %s written", payload.get("origin", "?"))
            await asyncio.to_thread(self._registry.reload_if_changed)
