"""Request bodies under a path prefix are limited in size before anything reads them.

Form parsing spools what it receives (multipart files go to disk) before a route runs,
so ``/agent/login`` read uploads of any size before answering 401. This middleware
answers 413 at once when ``Content-Length`` is too large, and otherwise reads the body
into memory only up to the limit (a chunked upload is cut off as it passes it), then
hands the route exactly what it read.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Refuse bodies over ``max_bytes`` for HTTP requests whose path starts with ``prefix``."""

    def __init__(self, app: ASGIApp, *, prefix: str, max_bytes: int) -> None:
        self.app = app
        self.prefix = prefix
        self.max_bytes = max_bytes

    def _guards(self, scope: Scope) -> bool:
        path = str(scope.get("path", ""))
        return scope["type"] == "http" and (
            path == self.prefix or path.startswith(self.prefix + "/")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._guards(scope):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        first = await self._read_bounded(receive)
        if first is None:
            await self._too_large(scope, receive, send)
            return
        await self.app(scope, _replay(first, receive), send)

    async def _read_bounded(self, receive: Receive) -> Message | None:
        """The whole body as one message (or the disconnect that cut it); None when it
        grows past the limit."""
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return message
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                return None
            if not message.get("more_body", False):
                return {"type": "http.request", "body": bytes(body), "more_body": False}

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"request body larger than {self.max_bytes} bytes"
        await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)


def _replay(first: Message, receive: Receive) -> Receive:
    """A receive that gives ``first``, then whatever the client sends next (a disconnect)."""
    pending = [first]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
