"""The live grammars of a running server, swapped atomically when files change.

A call picks up the current grammars at its next turn; an invalid edit is refused and
the previous grammars keep serving, so a typo never takes the hotline down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ivr.grammar import (
    CompiledMenu,
    GrammarError,
    GrammarSet,
    compile_grammar_set,
    load_grammar_dir,
)

log = logging.getLogger("ivr.grammar")


@dataclass(frozen=True)
class GrammarSnapshot:
    """One consistent version of the grammars: source model plus compiled menus."""

    grammar_set: GrammarSet
    compiled: Mapping[str, CompiledMenu]


def _mtimes(directory: Path) -> tuple[tuple[str, float, int], ...]:
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    out = []
    for f in files:
        try:
            st = f.stat()
        except FileNotFoundError:
            continue
        out.append((f.name, st.st_mtime, st.st_size))
    return tuple(out)


class GrammarRegistry:
    """Holds the current :class:`GrammarSnapshot`; :meth:`reload_if_changed` swaps it."""

    def __init__(self, directory: Path, on_change: Callable[[GrammarSnapshot], None] | None = None):
        self.directory = directory
        self._on_change = on_change
        self._lock = threading.Lock()
        self._stamp = _mtimes(directory)
        self._snapshot = self._build()  # raises GrammarError: a server must not start broken
        self.last_error: GrammarError | None = None

    def _build(self) -> GrammarSnapshot:
        gs = load_grammar_dir(self.directory)
        return GrammarSnapshot(grammar_set=gs, compiled=compile_grammar_set(gs))

    def snapshot(self) -> GrammarSnapshot:
        """The grammars to use for the turn about to start."""
        return self._snapshot

    def compiled(self) -> Mapping[str, CompiledMenu]:
        """Menu id → compiled menu, as of now."""
        return self._snapshot.compiled

    def fingerprint(self) -> str:
        """Content hash of the grammars being served."""
        return self._snapshot.grammar_set.fingerprint

    def reload_if_changed(self) -> bool:
        """Reload when a file changed. Returns True when new grammars went live."""
        with self._lock:
            stamp = _mtimes(self.directory)
            if stamp == self._stamp:
                return False
            self._stamp = stamp
            try:
                snapshot = self._build()
            except GrammarError as exc:
                self.last_error = exc
                log.error("grammar edit refused, previous grammars keep serving:\n%s", exc)
                return False
            if snapshot.grammar_set.fingerprint == self._snapshot.grammar_set.fingerprint:
                return False
            if self._on_change is not None:
                self._on_change(snapshot)  # e.g. render changed prompts before going live
            self._snapshot = snapshot
            self.last_error = None
            log.info("grammars reloaded: %s", snapshot.grammar_set.fingerprint[:12])
            return True
