"""Choosing the speech engine at start-up, with a reason an operator can read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ivr.asr.base import SpeechEngine
from ivr.asr.errors import EngineError
from ivr.asr.models import DEFAULT_MODEL, looks_like_vosk_model

EngineName = Literal["auto", "vosk", "pocketsphinx"]

_NO_MODEL_HELP = (
    "run `ivr models pull` to download {default} into {models_dir}, "
    "or set IVR_VOSK_MODEL to an unpacked Vosk model directory"
)


@dataclass(frozen=True)
class EnginePlan:
    """Which engine to load and why; computed without loading anything."""

    engine: Literal["vosk", "pocketsphinx"]
    vosk_model: Path | None
    reason: str


def find_installed_models(models_dir: Path) -> list[Path]:
    """Vosk model directories directly under ``models_dir``, the default model first."""
    if not models_dir.is_dir():
        return []
    found = [p for p in models_dir.iterdir() if p.is_dir() and looks_like_vosk_model(p)]
    return sorted(found, key=lambda p: (p.name != DEFAULT_MODEL, p.name))


def plan_engine(
    asr: EngineName,
    vosk_model: Path | None,
    models_dir: Path,
    *,
    vosk_model_source: str = "IVR_VOSK_MODEL",
) -> EnginePlan:
    """Decide the engine. Raises ``EngineError`` when ``vosk`` is demanded without a model,
    or when a configured model path is not a model (an explicit setting is never ignored)."""
    if asr == "pocketsphinx":
        return EnginePlan("pocketsphinx", None, "pocketsphinx (chosen by configuration)")
    if asr not in ("auto", "vosk"):
        raise EngineError(f"unknown speech engine {asr!r}: use auto, vosk or pocketsphinx")
    if vosk_model is not None:
        _check_model_dir(vosk_model, vosk_model_source)
        return EnginePlan("vosk", vosk_model, f"vosk (model {vosk_model} from {vosk_model_source})")
    installed = find_installed_models(models_dir)
    if installed:
        extra = f"; {len(installed) - 1} more there" if len(installed) > 1 else ""
        reason = f"vosk (model {installed[0]} in {models_dir}{extra})"
        return EnginePlan("vosk", installed[0], reason)
    if asr == "vosk":
        raise EngineError(
            f"Vosk was requested but no model is configured or installed in {models_dir}: "
            + _NO_MODEL_HELP.format(default=DEFAULT_MODEL, models_dir=models_dir)
        )
    return EnginePlan(
        "pocketsphinx",
        None,
        f"pocketsphinx (no Vosk model configured or installed in {models_dir})",
    )


def _check_model_dir(path: Path, source: str) -> None:
    if not path.is_dir():
        raise EngineError(f"Vosk model {path} (from {source}) does not exist")
    if not looks_like_vosk_model(path):
        raise EngineError(
            f"Vosk model {path} (from {source}) is not a Vosk model directory "
            "(expected am/final.mdl or conf/model.conf inside); point it at the unpacked model"
        )


def load_engine(plan: EnginePlan) -> SpeechEngine:
    """Load what ``plan`` names. Imports lazily: each engine pulls in its native library."""
    if plan.engine == "vosk":
        from ivr.asr.vosk_engine import VoskEngine

        assert plan.vosk_model is not None
        return VoskEngine(plan.vosk_model)
    from ivr.asr.pocketsphinx_engine import PocketSphinxEngine

    return PocketSphinxEngine()


def select_engine(
    asr: EngineName,
    vosk_model: Path | None,
    models_dir: Path,
) -> SpeechEngine:
    """Plan and load the engine; ``describe_selection`` gives the same choice's reason."""
    return load_engine(plan_engine(asr, vosk_model, models_dir))


def describe_selection(asr: EngineName, vosk_model: Path | None, models_dir: Path) -> str:
    """E.g. ``vosk (model models/x from IVR_VOSK_MODEL)``; raises like ``select_engine``."""
    return plan_engine(asr, vosk_model, models_dir).reason
