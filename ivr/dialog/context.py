"""The fixed, per-process inputs of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr.dialog.policy import DialogPolicy
from ivr.dialog.ports import MenuGrammar


@dataclass(frozen=True)
class DialogContext:
    """Grammar and policy: everything ``step`` reads besides the call state and the event."""

    grammar: MenuGrammar
    policy: DialogPolicy = field(default_factory=DialogPolicy)
