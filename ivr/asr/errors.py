"""Errors the speech layer raises instead of library tracebacks."""

from __future__ import annotations


class EngineError(RuntimeError):
    """A speech engine cannot be chosen, loaded or used; the message tells the operator why."""


class ModelDownloadError(EngineError):
    """``ivr models pull`` could not fetch, verify or unpack a model."""
