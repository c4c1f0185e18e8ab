"""The package layout is the architecture: dependencies point one way and never loop.

Read from the source (``import`` statements, including those inside functions), not from
what happens to be imported at run time, so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "ivr"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _package(module: str) -> str:
    """``ivr.call.session`` -> ``ivr.call``; top-level modules are their own package."""
    return ".".join(module.split(".")[:2])


def package_imports() -> dict[str, set[str]]:
    """Which ``ivr`` packages each ``ivr`` package imports (itself excluded)."""
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {_package(m): set() for m in modules}
    for module, path in modules.items():
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if name in modules and _package(name) != _package(module):
                graph[_package(module)].add(_package(name))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import loop, as the path that closes it (depth-first search)."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*path, node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def test_layers_no_package_imports_another_that_imports_it_back() -> None:
    assert cycles(package_imports()) == []


def test_layers_the_cycle_finder_finds_a_loop() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_layers_the_core_knows_nothing_of_http_composition_or_the_command_line() -> None:
    graph = package_imports()
    outer = {"ivr.cli", "ivr.web", "ivr.app"}
    for core in ("ivr.dialog", "ivr.grammar", "ivr.recognition", "ivr.call", "ivr.store"):
        assert graph[core] & outer == set(), core


def test_layers_the_grammar_compiler_does_not_speak_or_listen() -> None:
    assert package_imports()["ivr.grammar"] <= {"ivr.asr", "ivr.dialog"}
