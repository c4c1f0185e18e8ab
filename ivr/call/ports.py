"""What a call session needs from the rest of the app, as small protocols."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from ivr.dialog.backend import BackendRequest, BackendResult
from ivr.grammar.compiler import CompiledMenu
from ivr.twilio.stream_secret import StreamClaim

Send = Callable[[str], Awaitable[None]]
"""Send one text frame to Twilio."""


class GrammarSource(Protocol):
    """Current compiled menus; swapped atomically on hot reload."""

    def compiled(self) -> Mapping[str, CompiledMenu]:
        """Menu id → compiled menu, as of now."""


class Backend(Protocol):
    """Answers the dialog engine's backend requests (blocking; run in a thread)."""

    def handle(self, call_sid: str, caller: str, request: BackendRequest) -> BackendResult:
        """Return the result dataclass for ``request`` or raise on failure."""


class CallRecorder(Protocol):
    """Durable call records (blocking; run in a thread)."""

    def start_call(self, call_sid: str, from_number: str, to_number: str) -> bool: ...

    def get_call(self, call_sid: str) -> Mapping[str, Any] | None: ...

    def claim_stream(self, call_sid: str, stream_sid: str, secret: str) -> StreamClaim:
        """Let the first stream that shows the call's secret have it; refuse all others."""

    def set_call_server(self, call_sid: str, engine: str, instance: str) -> None: ...

    def record_turn(
        self,
        call_sid: str,
        menu: str,
        input: str,
        transcript: str,
        intent: str | None,
        confidence: float | None,
        outcome: str,
    ) -> int: ...

    def record_prompt(self, call_sid: str, mark: str, text: str) -> None: ...

    def record_transfer(
        self, call_sid: str, reason: str, urgent: bool, summary: dict[str, Any]
    ) -> None: ...

    def end_call(self, call_sid: str, status: str) -> None: ...
