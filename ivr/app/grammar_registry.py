"""The live grammars of a running server, swapped atomically when files change.

A call picks up the current grammars at its next turn; an invalid edit is refused and
the previous grammars keep serving, so a typo never takes the hotline down. "Invalid"
covers more than loading: ``validate`` (the server passes the dialog contract, message and
live-engine vocabulary checks) may add errors too, e.g. a deleted ``confirm`` menu or a word
the recognizer cannot hear.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ivr.grammar import (
    CompiledMenu,
    GrammarError,
    GrammarSet,
    Issue,
    compile_grammar_set,
    load_grammar_dir,
)

log = logging.getLogger("ivr.grammar")

Validator = Callable[[GrammarSet], list[Issue]]
"""Extra findings about a loaded set; any error among them refuses the set."""


@dataclass(frozen=True)
class GrammarSnapshot:
    """One consistent version of the grammars: source model plus compiled menus."""

    grammar_set: GrammarSet
    compiled: Mapping[str, CompiledMenu]


def _stamp(directory: Path) -> str:
    """A digest of the grammar files' names and contents (the files the loader reads).

    Contents, not modification times: an edit within one timestamp tick, or a file copied
    back with its old time, is still seen; a save without changes costs nothing.
    """
    digest = hashlib.sha256()
    for file in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            content = file.read_bytes()
        except OSError:
            continue  # deleted between glob and read: the next poll sees the new state
        digest.update(file.name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


class GrammarRegistry:
    """Holds the current :class:`GrammarSnapshot`; :meth:`reload_if_changed` swaps it."""

    def __init__(
        self,
        directory: Path,
        on_change: Callable[[GrammarSnapshot], None] | None = None,
        validate: Validator | None = None,
    ) -> None:
        self.directory = directory
        self._on_change = on_change
        self._validate = validate
        self._lock = threading.Lock()
        self._stamp = _stamp(directory)
        self._snapshot = self._build()  # raises GrammarError: a server must not start broken
        self.last_error: GrammarError | None = None

    def _build(self) -> GrammarSnapshot:
        gs = load_grammar_dir(self.directory)
        findings = self._validate(gs) if self._validate is not None else []
        errors = [issue for issue in findings if issue.is_error]
        if errors:
            raise GrammarError(errors)
        for issue in findings:
            log.warning("grammar: %s", issue)
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
        """Reload when a file changed. Returns True when new grammars went live.

        An invalid edit is logged (every finding with file and line) and not retried until
        the files change again. If ``on_change`` fails (e.g. prompt rendering), nothing goes
        live and the next call retries: the edit is valid, only its audio is not ready.
        """
        with self._lock:
            stamp = _stamp(self.directory)
            if stamp == self._stamp:
                return False
            try:
                snapshot = self._build()
            except GrammarError as exc:
                self._stamp = stamp
                self.last_error = exc
                log.error("grammar edit refused, previous grammars keep serving:\n%s", exc)
                return False
            # Equal content: e.g. a refused edit was undone. The served grammars stand.
            changed = snapshot.grammar_set.fingerprint != self.fingerprint()
            if changed:
                if self._on_change is not None:
                    self._on_change(snapshot)  # render changed prompts before going live
                self._snapshot = snapshot
                log.info("grammars reloaded: %s", snapshot.grammar_set.fingerprint[:12])
            self._stamp = stamp
            self.last_error = None
            return changed
