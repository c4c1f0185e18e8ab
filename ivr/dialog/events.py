"""Everything the media-stream session can tell the dialog engine."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.dialog.backend import BackendResult


@dataclass(frozen=True)
class CallStarted:
    """Twilio connected the call. ``caller`` is E.164, or "" when withheld."""

    call_sid: str
    caller: str
    called: str


@dataclass(frozen=True)
class Heard:
    """A final recognition result; ``text`` "" means speech that matched nothing in grammar.

    ``text`` is what the caller said as well as the recognizers know it (recorded with the
    turn); ``meaning``, when set, is the sentence the recognizers decided it means in the
    menu (a grammar sentence, digit words, or the text carrying a key phrase) — "" for
    speech they judged out of scope.
    """

    text: str
    confidence: float
    meaning: str | None = None

    @property
    def interpreted(self) -> str:
        """The sentence to match in the menu."""
        return self.text if self.meaning is None else self.meaning


@dataclass(frozen=True)
class KeysEntered:
    """Keypad input: one key for choice menus, a full entry (``#`` stripped) for digits menus."""

    digits: str


@dataclass(frozen=True)
class NoInput:
    """The Listen's no-input timer ran out without speech or keys."""


@dataclass(frozen=True)
class PromptFinished:
    """A Play finished (informational: barge-in and timers are the session's job)."""

    prompt_id: str


@dataclass(frozen=True)
class CallerHungUp:
    """The caller hung up; nothing may be said or done after this."""


@dataclass(frozen=True)
class BackendAnswered:
    """The store answered a Request."""

    request_id: str
    result: BackendResult


@dataclass(frozen=True)
class BackendFailed:
    """The store could not answer a Request (error, timeout)."""

    request_id: str
    error: str


Event = (
    CallStarted
    | Heard
    | KeysEntered
    | NoInput
    | PromptFinished
    | CallerHungUp
    | BackendAnswered
    | BackendFailed
)
"""Every event the engine's ``step`` accepts."""
