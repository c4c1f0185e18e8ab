"""The ``ivr`` command line: ``serve``, ``call``, ``grammar …``, ``report …``, ``db``,
``agents``, ``models``, ``prompts`` (one module per group of commands)."""

from ivr.cli.main import main

__all__ = ["main"]
