"""Check the ``messages:`` section against the sentences the dialog really composes.

Keys and placeholders are the dialog's (:data:`ivr.dialog.messages.DEFAULTS`). A misspelt
key is silently never used, and a template with a placeholder the dialog does not fill
silently falls back to the default wording at run time (so a typo never crashes a call);
both are invisible on the phone, so they are reported here.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Mapping

from ivr.dialog.messages import DEFAULTS
from ivr.grammar.errors import Issue
from ivr.grammar.model import GrammarSet


def placeholders(template: str) -> list[str]:
    """The field names of a ``str.format`` template in order (``{amount:>8}`` → ``amount``).

    Raises ``ValueError`` for malformed templates (the loader reports those).
    """
    return [
        field_name
        for _, field_name, _, _ in string.Formatter().parse(template)
        if field_name is not None
    ]


def check_messages(grammar_set: GrammarSet, defaults: Mapping[str, str] = DEFAULTS) -> list[Issue]:
    """Unknown keys (warnings, with a did-you-mean) and placeholders the dialog lacks (errors)."""
    issues: list[Issue] = []
    for key, template in grammar_set.messages.items():
        file, line = grammar_set.message_sources.get(key, (grammar_set.directory, 0))
        default = defaults.get(key)
        if default is None:
            close = difflib.get_close_matches(key, list(defaults), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "see ivr/dialog/messages.py"
            what = f"unknown message '{key}': the dialog never uses it"
            issues.append(Issue(file, line, "warning", what, hint))
            continue
        issues.extend(_placeholder_issues(key, template, default, file, line))
    return issues


def _placeholder_issues(key: str, template: str, default: str, file: str, line: int) -> list[Issue]:
    provided = placeholders(default)
    offered = ", ".join(f"{{{name}}}" for name in provided) or "none"
    issues = []
    for name in placeholders(template):
        base = _base(name)
        if name == base and name in provided:
            continue
        if name == "" or name.isdigit():
            problem = "a numbered or empty placeholder {}"
        elif base in provided:
            problem = f"{{{name}}} (attribute or index access)"
        else:
            problem = f"{{{name}}}, which the dialog does not fill in"
        close = difflib.get_close_matches(base, provided, n=1, cutoff=0.6) if base else []
        hint = f"did you mean {{{close[0]}}}? " if close and close[0] != base else ""
        issues.append(
            Issue(
                file,
                line,
                "error",
                f"message '{key}' uses {problem}; callers would hear the default wording",
                f"{hint}placeholders of '{key}': {offered}",
            )
        )
    used = {_base(name) for name in placeholders(template)}
    left_out = [name for name in provided if name not in used]
    if left_out:
        issues.append(
            Issue(
                file,
                line,
                "warning",
                f"message '{key}' leaves out "
                + ", ".join(f"{{{name}}}" for name in left_out)
                + "; callers will not hear that part",
                f"placeholders of '{key}': {offered}",
            )
        )
    return issues


def _base(field_name: str) -> str:
    """``amount`` of ``amount``, ``amount.real`` or ``amount[0]``."""
    return field_name.split(".", 1)[0].split("[", 1)[0]
