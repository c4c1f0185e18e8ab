"""Read-only operator API over the call record: ``/api/calls`` and ``/api/calls/{sid}``.

Protected by a static bearer token (``IVR_API_TOKEN``). Endpoints are plain ``def`` so
FastAPI runs the blocking store calls in its worker thread pool, off the event loop
that serves the live media streams.
"""

# No ``from __future__ import annotations`` here: FastAPI evaluates the dependency
# annotations at runtime, and string annotations inside make_api_router could not see
# its local names.

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ivr.store import Store, StoreError
from ivr.store.repo import MAX_LIST_LIMIT
from ivr.store.views import CallRecord, CallSummary

log = logging.getLogger(__name__)

_UNAVAILABLE = "call store unavailable; try again shortly"

# auto_error=False: we raise our own 401 so every failure has the same body and header.
_bearer = HTTPBearer(auto_error=False, description="IVR_API_TOKEN")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
"""The ``Authorization: Bearer ...`` credentials, or None when absent or another scheme."""


UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def bearer_guard(api_token: str) -> Callable[[BearerCredentials], Awaitable[None]]:
    """A route dependency admitting only ``Authorization: Bearer <api_token>`` (else 401).

    Shared by every ``/api`` router so they all authenticate the same way.
    """
    if not api_token:
        # An empty token would make "Authorization: Bearer " a valid credential.
        raise ValueError("api_token must not be empty")
    expected = api_token.encode("utf-8")

    async def require_token(credentials: BearerCredentials) -> None:
        given = credentials.credentials.encode("utf-8") if credentials is not None else b""
        # Constant-time comparison so the response time does not leak the token prefix.
        if credentials is None or not hmac.compare_digest(given, expected):
            raise HTTPException(401, "missing or invalid bearer token", UNAUTHORIZED)

    return require_token


def make_api_router(get_store: Callable[[], Store], api_token: str) -> APIRouter:
    """The ``/api`` routes, reading from ``get_store()`` and requiring ``api_token``."""
    require_token = bearer_guard(api_token)
    router = APIRouter(prefix="/api", tags=["calls"], dependencies=[Depends(require_token)])

    @router.get("/calls/{call_sid}", response_model=None)
    def get_call(call_sid: str) -> CallRecord:
        """Everything recorded about one call: turns, transfer, disposition."""
        try:
            record = get_store().get_call(call_sid)
        except StoreError as exc:
            raise _unavailable(exc) from exc
        if record is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no call {call_sid!r}")
        return record

    @router.get("/calls", response_model=None)
    def list_calls(
        limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT)] = 50,
    ) -> list[CallSummary]:
        """The most recent calls, newest first."""
        try:
            return get_store().list_calls(limit)
        except StoreError as exc:
            raise _unavailable(exc) from exc

    return router


def _unavailable(exc: StoreError) -> HTTPException:
    # The detail stays generic; the cause goes to the log for the operator.
    log.error("API request failed: %s", exc)
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=_UNAVAILABLE)
