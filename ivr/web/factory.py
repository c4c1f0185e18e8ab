"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from ivr.app.services import Services, build_services
from ivr.logs import configure_logging, guard_wire_loggers
from ivr.settings import Settings, load_settings
from ivr.web.agent.install import install_desk
from ivr.web.api import make_api_router
from ivr.web.drain import install_drain
from ivr.web.no_store import NoStore
from ivr.web.recordings import make_recordings_router
from ivr.web.reports import make_reports_router
from ivr.web.twilio_routes import router as twilio_router

log = logging.getLogger("ivr")


def create_app(
    settings: Settings, services: Services | None = None, *, drain_on_signal: bool = False
) -> FastAPI:
    """Build the app. ``services`` may be injected (tests); otherwise built at start-up.
    ``drain_on_signal``: SIGTERM drains the live calls first (:mod:`ivr.web.drain`)."""
    # Frames carry PIN digits: however the app is hosted, no library logs them.
    guard_wire_loggers()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        svc = (
            services if services is not None else await asyncio.to_thread(build_services, settings)
        )
        app.state.services = svc
        if drain_on_signal:
            install_drain(svc, settings.drain_timeout_s)
        tasks = [
            asyncio.create_task(_watch_grammars(svc, settings.grammar_poll_s)),
            asyncio.create_task(_purge_recordings(svc)),
        ]
        if svc.bus is not None:
            tasks.append(asyncio.create_task(svc.bus.run()))
        try:
            yield
        finally:
            svc.feed.close()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if svc.bus is not None:
                await svc.bus.aclose()
            if owned:
                svc.close()

    # No /docs, /redoc or /openapi.json: the schema is a map of the API for anyone asking.
    app = FastAPI(title="ivr", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    if services is not None:
        app.state.services = services
    app.include_router(twilio_router)
    app.include_router(make_api_router(lambda: app.state.services.store, settings.api_token))
    app.include_router(make_reports_router(lambda: app.state.services.store, settings.api_token))
    app.include_router(
        make_recordings_router(lambda: app.state.services.recordings, settings.api_token)
    )
    install_desk(app, lambda: app.state.services)
    app.add_middleware(NoStore, prefix="/api")
    return app


def app_from_environment() -> FastAPI:
    """The app as ``ivr serve --workers N`` starts it in each worker process (a uvicorn
    factory): settings from the environment, logging configured, SIGTERM drains."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings, drain_on_signal=True)


async def _watch_grammars(services: Services, poll_s: float) -> None:
    """Hot reload: every ``poll_s`` seconds, load edited grammar files if they are valid;
    an edit that went live here is sent to the other instances."""
    while True:
        await asyncio.sleep(poll_s)
        try:
            went_live = await asyncio.to_thread(services.grammars.reload_if_changed)
            if went_live and services.grammar_sync is not None:
                await services.grammar_sync.announce()
        except Exception:
            log.exception("grammar reload failed; previous grammars keep serving")


PURGE_EVERY_S = 3600.0


async def _purge_recordings(services: Services) -> None:
    """Delete expired recordings at start-up and every hour (retention is in days)."""
    store = services.recordings
    if store is None:
        return
    while True:
        try:
            gone = await asyncio.to_thread(store.purge)
            if gone:
                log.info("deleted %d expired recording(s)", gone)
        except Exception:
            log.exception("purging expired recordings failed; will try again")
        await asyncio.sleep(PURGE_EVERY_S)
