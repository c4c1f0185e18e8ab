"""Findings about grammar files: what is wrong, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One finding in a grammar file, pointing at the line ops staff must edit."""

    file: str
    line: int
    severity: Severity
    message: str
    hint: str = ""
    menu: str | None = None

    def __str__(self) -> str:
        """Render as ``file:line: severity: message (hint: …)``, the form editors jump to."""
        text = f"{self.file}:{self.line}: {self.severity}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    @property
    def is_error(self) -> bool:
        """True when this finding makes the grammar unusable (not merely questionable)."""
        return self.severity == "error"


class GrammarError(Exception):
    """Grammar files could not be loaded; ``issues`` holds every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


def errors_only(issues: list[Issue]) -> list[Issue]:
    """The findings that are errors, in their original order."""
    return [issue for issue in issues if issue.is_error]
