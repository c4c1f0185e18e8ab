"""Logging policy: what the hotline may write to its log, whatever level is configured.

Media Streams frames carry PIN digits (``dtmf`` events) and caller audio, and webhook and
desk bodies carry passwords. Several libraries log raw frames or bodies below INFO: the
``websockets`` protocol (under its own ``websockets.*`` loggers, or under
``uvicorn.error``, which uvicorn hands to it), uvicorn's ASGI message logger
(``uvicorn.asgi``, at TRACE) and the HTTP libraries. Their records below INFO are dropped
by a filter on those loggers and on the root handlers, so no level — not even a
configured DEBUG, and not a level uvicorn sets on its own loggers later — reveals a key
press. The app's own ``ivr`` loggers keep the configured level: they never log digits.
"""

from __future__ import annotations

import logging

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

WIRE_LOGGERS = (
    "uvicorn.error",
    "uvicorn.asgi",
    "uvicorn.protocols",
    "websockets",
    "httpx",
    "httpcore",
    "h11",
    "wsproto",
    "python_multipart",
    "multipart",
)
"""Loggers (and their children) whose records below INFO may hold frames or bodies."""


def is_wire_logger(name: str) -> bool:
    """Whether records of logger ``name`` may carry raw wire data below INFO."""
    return any(name == wire or name.startswith(wire + ".") for wire in WIRE_LOGGERS)


class WireFilter(logging.Filter):
    """Drops every record below INFO from the wire loggers; lets everything else pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO or not is_wire_logger(record.name)


_FILTER = WireFilter()


def guard_wire_loggers() -> None:
    """Hold the wire loggers at INFO or above and filter them; idempotent.

    The level keeps ``websockets`` from even formatting frames (it checks
    ``isEnabledFor(DEBUG)`` once per connection). The filters catch what a later
    ``setLevel`` (uvicorn sets ``uvicorn.error`` to its ``log_level``) would let through:
    a logger's filter sees the records made on it, a handler's filter the ones that reach
    it from any child logger.
    """
    # Never below INFO; not below the configured level either, so WARNING means WARNING.
    floor = max(logging.INFO, logging.getLogger().level)
    for name in WIRE_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < floor:
            logger.setLevel(floor)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def level_name(value: str) -> str:
    """``value`` as one of :data:`LEVELS` (case-insensitive); INFO for anything else."""
    name = value.strip().upper()
    return name if name in LEVELS else "INFO"


def configure_logging(level: str) -> None:
    """Log to stderr at ``level`` (an unknown name means INFO), wire loggers guarded."""
    logging.basicConfig(level=level_name(level), format=FORMAT)
    guard_wire_loggers()
    # Alembic narrates every schema check at INFO; ivr.store.schema says what matters.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    # Says where the libraries' DEBUG output went, for whoever turned DEBUG on to find it.
    logging.getLogger("ivr").debug(
        "records below INFO from %s are dropped: they would show wire frames",
        ", ".join(WIRE_LOGGERS),
    )
