"""Put the agent desk on an app: its routes, its static files, and the session guard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ivr.web.agent.guard import DeskGuard
from ivr.web.agent.routes import DeskServices, make_desk_router
from ivr.web.body_limit import BodyLimit

DESK_MAX_BODY_BYTES = 64 * 1024
"""The desk's largest form is a 4000-character note, at most ~48 KB percent-encoded."""
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
"""The desk's script and style sheet, served at ``/static`` (public: nothing personal)."""


def install_desk(app: FastAPI, get_services: Callable[[], DeskServices]) -> None:
    """Serve ``/agent`` (behind the sign-in guard) and ``/static`` on ``app``."""
    app.include_router(make_desk_router(get_services))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(DeskGuard, get_agents=lambda: get_services().agents)
    # Outermost: an oversized body is refused before the guard or a form parser sees it.
    app.add_middleware(BodyLimit, prefix="/agent", max_bytes=DESK_MAX_BODY_BYTES)
