"""Read YAML as composed nodes so every value keeps the line it came from.

Working on nodes (not ``yaml.safe_load`` output) also means ``yes:``/``no:`` stay the words
"yes"/"no" instead of turning into booleans, and duplicate keys can be reported.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ivr.grammar.errors import Issue

_NULL_TAG = "tag:yaml.org,2002:null"


def line_of(node: Node) -> int:
    """1-based line where ``node`` starts."""
    return int(node.start_mark.line) + 1


def compose(text: str, file: str) -> tuple[Node | None, list[Issue]]:
    """Parse ``text`` into a node tree, or report the syntax error with its line."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), []
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = int(mark.line) + 1 if mark else 1
        problem = error.problem or str(error)
        hint = "check indentation and quote text containing ':' or '#'"
        return None, [Issue(file, line, "error", f"YAML syntax error: {problem}", hint)]
    except yaml.YAMLError as error:
        return None, [Issue(file, 1, "error", f"YAML error: {error}")]


@dataclass
class NodeReader:
    """Typed accessors over nodes of one file that record problems instead of raising."""

    file: str
    issues: list[Issue] = field(default_factory=list)

    def error(
        self, node: Node | int, message: str, hint: str = "", menu: str | None = None
    ) -> None:
        """Record an error at ``node`` (or at a line number)."""
        line = node if isinstance(node, int) else line_of(node)
        self.issues.append(Issue(self.file, line, "error", message, hint, menu))

    def warning(
        self, node: Node | int, message: str, hint: str = "", menu: str | None = None
    ) -> None:
        """Record a warning at ``node`` (or at a line number)."""
        line = node if isinstance(node, int) else line_of(node)
        self.issues.append(Issue(self.file, line, "warning", message, hint, menu))

    def _is_mapping(self, node: Node, what: str) -> bool:
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping of 'name: value' entries")
            return False
        return True

    def mapping(self, node: Node, what: str) -> list[tuple[str, ScalarNode, Node]]:
        """The ``(key, key node, value node)`` entries of a mapping; [] after reporting."""
        if is_null(node) or not self._is_mapping(node, what):
            return []
        entries: list[tuple[str, ScalarNode, Node]] = []
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, f"keys in {what} must be plain names")
                continue
            key = str(key_node.value)
            if key in seen:
                hint = f"first at line {seen[key]}"
                self.error(key_node, f"duplicate key '{key}' in {what}", hint)
                continue
            seen[key] = line_of(key_node)
            entries.append((key, key_node, value_node))
        return entries

    def check_keys(
        self,
        entries: list[tuple[str, ScalarNode, Node]],
        allowed: Iterable[str],
        what: str,
        menu: str | None = None,
    ) -> None:
        """Report keys outside ``allowed``, suggesting the closest allowed key."""
        allowed = list(allowed)
        for key, key_node, _ in entries:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}"
                self.error(key_node, f"unknown key '{key}' in {what}", hint, menu)

    def string(self, node: Node, what: str, menu: str | None = None) -> str | None:
        """A scalar as text; None (after reporting) for nulls, lists and mappings."""
        if isinstance(node, ScalarNode) and not is_null(node):
            return str(node.value)
        self.error(node, f"{what} must be text", menu=menu)
        return None

    def strings(self, node: Node, what: str, menu: str | None = None) -> list[tuple[str, int]]:
        """A scalar or list of scalars as ``(text, line)`` pairs."""
        if isinstance(node, ScalarNode) and not is_null(node):
            return [(str(node.value), line_of(node))]
        if isinstance(node, SequenceNode):
            result: list[tuple[str, int]] = []
            for item in node.value:
                text = self.string(item, f"each entry of {what}", menu)
                if text is not None:
                    result.append((text, line_of(item)))
            return result
        self.error(node, f"{what} must be text or a list of texts", menu=menu)
        return []


def is_null(node: Node) -> bool:
    """True for ``~``, ``null`` and empty values (``key:`` with nothing after it)."""
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG
