"""Agent desk routes: sign in and out, the desk page, its event stream, take and note.

:class:`~ivr.web.agent.guard.DeskGuard` has already checked the session for everything
but the sign-in page, and left it in ``request.state.agent``. Forms that change state
carry the session's CSRF token (the cookie is also ``SameSite=Strict``); the sign-in
form, which has no session yet, uses a double-submit cookie instead.
"""

# No ``from __future__ import annotations``: FastAPI reads the Form() annotations at runtime.

import asyncio
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Annotated, Protocol

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from ivr.desk.feed import DeskEvent, EventKind, TransferFeed
from ivr.desk.signin_gate import SignInBusy, SignInGate
from ivr.settings import Settings
from ivr.store.agents import AgentSessionView, AgentStore, SignIn
from ivr.store.repo import Store
from ivr.web.agent.guard import LOGIN_PATH, SESSION_COOKIE, session_token
from ivr.web.agent.render import render_desk, render_login
from ivr.web.agent.stream import desk_events, load_cards
from ivr.web.client_address import client_key

log = logging.getLogger("ivr.web.agent")

LOGIN_CSRF_COOKIE = "ivr_login_csrf"
MAX_NOTE_CHARS = 4000
WRONG_CREDENTIALS = "Wrong username or password."


class DeskServices(Protocol):
    """What the desk uses of :class:`ivr.app.services.Services`."""

    settings: Settings
    store: Store
    agents: AgentStore
    feed: TransferFeed
    signin: SignInGate
    draining: bool


def make_desk_router(get_services: Callable[[], DeskServices]) -> APIRouter:
    """The ``/agent`` routes over the app's services (looked up per request)."""
    router = APIRouter(prefix="/agent", include_in_schema=False)
    _add_sign_in_routes(router, get_services)
    _add_desk_routes(router, get_services)
    return router


def _add_sign_in_routes(router: APIRouter, get_services: Callable[[], DeskServices]) -> None:
    @router.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        """The sign-in form."""
        csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        return _login_response(csrf, _secure(get_services()))

    @router.post("/login", response_class=HTMLResponse)
    async def login(
        request: Request,
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1024)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Check the password and open a session. Limited per client address (a lock),
        per username (a growing wait) and in total (see :mod:`.signin_gate`)."""
        services = get_services()
        secure = _secure(services)
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(csrf.encode(), expected.encode()):
            fresh = secrets.token_urlsafe(32)
            error = "The sign-in form had expired. Please try again."
            return _login_response(fresh, secure, error, username, status.HTTP_403_FORBIDDEN)
        client = client_key(request.client.host if request.client else None)
        try:
            # Hashing runs on the sign-in threads, never on the pool calls use.
            result = await services.signin.run(services.agents.sign_in, username, password, client)
        except SignInBusy as busy:
            error = "Too many sign-in attempts right now. Please try again in a few seconds."
            return _too_many(expected, secure, error, username, busy.retry_after_s)
        if result.ok:
            assert result.token is not None
            return _signed_in(result.token, services, secure)
        return _refused(result, expected, secure, username)

    @router.post("/logout")
    async def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        """End this session everywhere (the server forgets it, not just the browser)."""
        _check_csrf(_agent(request), csrf)
        token = session_token(request.cookies)
        if token is not None:
            await asyncio.to_thread(get_services().agents.sign_out, token)
        response = RedirectResponse(LOGIN_PATH, status_code=status.HTTP_303_SEE_OTHER)
        response.delete_cookie(SESSION_COOKIE, path="/agent")
        return response


def _signed_in(token: str, services: DeskServices, secure: bool) -> Response:
    """To the desk, with the new session's cookie."""
    response = RedirectResponse("/agent", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(services.agents.session_ttl.total_seconds()),
        path="/agent",
        httponly=True,
        samesite="strict",
        secure=secure,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return response


def _refused(result: SignIn, csrf: str, secure: bool, username: str) -> Response:
    """The sign-in form again, saying why (and for how long, when it is a limit)."""
    if result.locked_until is not None:
        until = result.locked_until.strftime("%H:%M UTC")
        error = f"Too many failed sign-ins from your network. Sign-in is locked until {until}."
        return _too_many(csrf, secure, error, username, result.retry_after_s)
    if result.wait_until is not None:
        error = (
            "Too many failed sign-ins for this username. "
            f"Please wait {result.retry_after_s} seconds and try again."
        )
        return _too_many(csrf, secure, error, username, result.retry_after_s)
    return _login_response(csrf, secure, WRONG_CREDENTIALS, username, status.HTTP_401_UNAUTHORIZED)


def _add_desk_routes(router: APIRouter, get_services: Callable[[], DeskServices]) -> None:
    @router.get("", response_class=HTMLResponse)
    async def desk(request: Request) -> HTMLResponse:
        """The desk: recent transfers, urgent and newest first; the script keeps it live."""
        agent = _agent(request)
        cards = await asyncio.to_thread(load_cards, get_services().store, agent.username)
        return HTMLResponse(render_desk(agent, cards))

    @router.get("/events")
    async def events(request: Request) -> StreamingResponse:
        """Server-sent events: each transfer card as it appears or changes."""
        services = get_services()
        if services.draining:  # the browser reconnects; the balancer picks another instance
            raise HTTPException(503, "this instance is draining")
        token = session_token(request.cookies) or ""

        def still_signed_in() -> bool:
            return services.agents.session(token) is not None

        stream = desk_events(services.store, services.feed, _agent(request), still_signed_in)
        return StreamingResponse(
            stream,
            media_type="text/event-stream",
            headers={"X-Accel-Buffering": "no"},  # a buffering proxy would hold events back
        )

    @router.post("/calls/{call_sid}/take")
    async def take(
        request: Request, call_sid: str, csrf: Annotated[str, Form(max_length=200)] = ""
    ) -> Response:
        """Take a transferred call: every desk shows who has it."""
        agent = _agent(request)
        _check_csrf(agent, csrf)
        await _take(get_services(), call_sid, agent.username)
        _publish(get_services(), "taken", call_sid)
        return _done(request, call_sid, {"taken_by": agent.username})

    @router.post("/calls/{call_sid}/note")
    async def note(
        request: Request,
        call_sid: str,
        note: Annotated[str, Form(max_length=MAX_NOTE_CHARS)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Save the disposition note with the call (taking it first if nobody has)."""
        agent = _agent(request)
        _check_csrf(agent, csrf)
        text = note.strip()
        if not text:
            # 422 by number: Starlette renamed the constant (…_ENTITY → …_CONTENT) in 0.48.
            raise HTTPException(422, "the note is empty")
        services = get_services()
        await _take(services, call_sid, agent.username)
        await asyncio.to_thread(services.store.set_disposition, call_sid, text, agent.username)
        _publish(services, "note", call_sid)
        return _done(request, call_sid, {"taken_by": agent.username, "disposition_note": text})


def _agent(request: Request) -> AgentSessionView:
    agent = getattr(request.state, "agent", None)
    if not isinstance(agent, AgentSessionView):
        # Only reachable if the guard were not installed: refuse rather than serve.
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in to the agent desk first")
    return agent


def _check_csrf(agent: AgentSessionView, token: str) -> None:
    if not hmac.compare_digest(token.encode(), agent.csrf_token.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong form token; reload")


async def _take(services: DeskServices, call_sid: str, username: str) -> None:
    taker = await asyncio.to_thread(services.store.take_call, call_sid, username)
    if taker is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no transferred call {call_sid!r}")
    if taker != username:
        raise HTTPException(status.HTTP_409_CONFLICT, f"already taken by {taker}")


def _publish(services: DeskServices, kind: EventKind, call_sid: str) -> None:
    services.feed.publish(DeskEvent(kind, call_sid))


def _done(request: Request, call_sid: str, body: dict[str, str]) -> Response:
    # The page's script posts with Accept: application/json and waits for the live
    # update; a plain form post (no script) goes back to the desk.
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"call_sid": call_sid, **body})
    return RedirectResponse(f"/agent#call-{call_sid}", status_code=status.HTTP_303_SEE_OTHER)


def _secure(services: DeskServices) -> bool:
    # Over plain http (local runs) a Secure cookie would never be sent back.
    return services.settings.public_url.startswith("https://")


def _too_many(csrf: str, secure: bool, error: str, username: str, retry_after_s: int) -> Response:
    response = _login_response(csrf, secure, error, username, status.HTTP_429_TOO_MANY_REQUESTS)
    response.headers["Retry-After"] = str(retry_after_s)
    return response


def _login_response(
    csrf: str,
    secure: bool,
    error: str | None = None,
    username: str = "",
    code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    response = HTMLResponse(render_login(csrf=csrf, error=error, username=username), code)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        max_age=3600,
        path=LOGIN_PATH,
        httponly=True,
        samesite="strict",
        secure=secure,
    )
    return response
