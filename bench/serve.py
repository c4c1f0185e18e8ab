"""``python -m bench.serve``: run the benchmark app like ``ivr serve`` does, optionally as
several uvicorn worker processes sharing one listening socket (``BENCH_WORKERS``)."""

from __future__ import annotations

import os

import uvicorn

from ivr.settings import load_settings


def main() -> None:
    """Serve ``bench.asgi:app`` with ``ivr serve``'s uvicorn options."""
    settings = load_settings()
    uvicorn.run(
        "bench.asgi:app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=int(os.environ.get("BENCH_WORKERS", "1")),
        log_level=settings.log_level.lower(),
        ws_max_size=settings.max_ws_message_bytes,
        ws_ping_interval=None,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
