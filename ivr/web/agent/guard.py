"""The agent desk's gate: no session, nothing under ``/agent`` (but the sign-in page).

An ASGI middleware rather than a per-route dependency, so a route added under ``/agent``
later is protected without anyone remembering to. Pages (a browser asking for HTML) are
redirected to the sign-in page; everything else — the event stream, form posts, JSON —
gets a 401. Every ``/agent`` response also gets headers that keep personal data out of
caches, frames and referrers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ivr.store.agents import AgentSessionView, AgentStore
from ivr.store.errors import StoreError

log = logging.getLogger("ivr.web.agent")

PREFIX = "/agent"
LOGIN_PATH = "/agent/login"
SESSION_COOKIE = "ivr_agent_session"
PUBLIC_PATHS = frozenset({LOGIN_PATH})

SECURITY_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def is_desk_path(path: str) -> bool:
    """Whether ``path`` belongs to the agent desk."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def wants_page(method: str, headers: Headers) -> bool:
    """A browser navigating (GET for HTML) gets a redirect; scripts and streams a 401."""
    return method in ("GET", "HEAD") and "text/html" in headers.get("accept", "")


def session_token(cookies: Mapping[str, str]) -> str | None:
    """The desk session cookie's value, if the request carries one."""
    return cookies.get(SESSION_COOKIE) or None


class DeskGuard:
    """Require a valid agent session for ``/agent/*``; put it in ``request.state.agent``."""

    def __init__(self, app: ASGIApp, get_agents: Callable[[], AgentStore]) -> None:
        self.app = app
        self.get_agents = get_agents

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] not in ("http", "websocket") or not is_desk_path(path):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # The desk has no WebSocket; refuse rather than pass an unchecked one through.
            await send({"type": "websocket.close", "code": 1008})
            return
        send = _with_security_headers(send)
        if path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        agent = await self._session(connection.cookies)
        if agent is None:
            await _refusal(str(scope["method"]), connection.headers)(scope, receive, send)
            return
        scope.setdefault("state", {})["agent"] = agent
        await self.app(scope, receive, send)

    async def _session(self, cookies: Mapping[str, str]) -> AgentSessionView | None:
        token = session_token(cookies)
        if token is None:
            return None
        try:
            return await asyncio.to_thread(self.get_agents().session, token)
        except StoreError as exc:
            # Fail closed: without the store we cannot tell who is asking.
            log.error("agent session check failed: %s", exc)
            return None


def _refusal(method: str, headers: Headers) -> Response:
    if wants_page(method, headers):
        return RedirectResponse(LOGIN_PATH, status_code=303)
    return JSONResponse({"detail": "sign in to the agent desk first"}, status_code=401)


def _with_security_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (k, v)
                for k, v in message.get("headers", [])
                if k.decode("latin-1").lower() not in SECURITY_HEADERS
            ]
            headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
