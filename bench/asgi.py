"""ASGI factory for the benchmark servers (``bench.serve`` runs it through uvicorn).

``BENCH_VARIANT=baseline`` rebuilds the server as it was before the performance changes
(one outbound media message per 20 ms frame; at most 4 idle PocketSphinx decoders kept,
each loaded with the full 134k-word dictionary),
so before and after can be measured side by side in one run. ``current`` is the app as
shipped, built exactly as ``ivr serve`` builds it.
"""

from __future__ import annotations

import logging
import os

import pocketsphinx
from fastapi import FastAPI

from ivr.asr.pocketsphinx_engine import PocketSphinxEngine, _PooledDecoder
from ivr.settings import load_settings
from ivr.web.factory import create_app

VARIANTS = ("current", "baseline")


def app() -> FastAPI:
    """The app for ``BENCH_VARIANT`` with settings from the environment."""
    settings = load_settings()
    # As `ivr serve` (ivr.cli.main) does: the app's own log lines, with their level, so
    # the benchmarks can count ERROR lines. Here because each uvicorn worker runs this.
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if os.environ.get("BENCH_VARIANT", "current") != "baseline":
        return create_app(settings)
    import ivr.call.session as session
    from ivr.app.services import build_services

    session.OUTBOUND_FRAMES_PER_MESSAGE = 1
    services = build_services(settings, engine=FullDictionaryPocketSphinx(max_idle_decoders=4))
    return create_app(settings, services)


class FullDictionaryPocketSphinx(PocketSphinxEngine):
    """Decoders as they were loaded before: with the whole pronunciation dictionary."""

    def _new_decoder(self) -> _PooledDecoder:
        decoder = pocketsphinx.Decoder(
            hmm=os.fspath(self.hmm),
            dict=os.fspath(self.dictionary),
            lm=None,
            samprate=16000,
            bestpath=False,
            loglevel="FATAL",
        )
        return _PooledDecoder(decoder)
