"""ASGI factory for uvicorn's multi-worker mode (``--factory bench.asgi:app``).

``ivr serve`` runs one process; several workers need an import string that uvicorn can
call in each worker, which is all this is.
"""

from __future__ import annotations

from fastapi import FastAPI

from ivr.app import create_app
from ivr.settings import load_settings


def app() -> FastAPI:
    """The app with settings from the environment, as ``ivr serve`` builds it."""
    return create_app(load_settings())
