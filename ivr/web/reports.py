"""Ops reports over the call record: ``GET /api/reports/nomatch?since=…``.

Same bearer token as ``/api/calls`` (:func:`ivr.web.api.bearer_guard`). Plain ``def``
endpoint: FastAPI runs the blocking query in its thread pool, off the media-stream loop.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status

from ivr.store import Store, StoreError
from ivr.store.reports import DEFAULT_TOP, nomatch_report
from ivr.web.api import bearer_guard

log = logging.getLogger(__name__)


def parse_since(text: str | None) -> datetime | None:
    """``2026-03-01`` (midnight UTC) or an ISO datetime (UTC when it names no zone).

    Raises ``ValueError`` for anything else.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.combine(day, time(0), tzinfo=UTC)


def make_reports_router(get_store: Callable[[], Store], api_token: str) -> APIRouter:
    """The ``/api/reports`` routes, reading from ``get_store()`` and requiring ``api_token``."""
    router = APIRouter(
        prefix="/api/reports", tags=["reports"], dependencies=[Depends(bearer_guard(api_token))]
    )

    @router.get("/nomatch", response_model=None)
    def nomatch(
        since: Annotated[str | None, Query(description="YYYY-MM-DD or ISO datetime")] = None,
        top: Annotated[int, Query(ge=1, le=100)] = DEFAULT_TOP,
    ) -> dict[str, Any]:
        """Per menu: turns, no-match and no-input counts and rates, top unrecognized phrases."""
        try:
            start = parse_since(since)
        except ValueError as exc:
            raise HTTPException(
                422,  # the status of FastAPI's own validation errors
                detail=f"since must be YYYY-MM-DD or an ISO datetime, not {since!r}",
            ) from exc
        try:
            return nomatch_report(get_store().engine, start, top).as_json()
        except StoreError as exc:
            log.error("no-match report failed: %s", exc)
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="call store unavailable; try again shortly",
            ) from exc

    return router
