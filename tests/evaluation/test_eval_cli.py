"""``ivr grammar eval``: recordings through the real recognizers and the dialog policy."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from ivr.audio.channel import telephone_channel
from ivr.audio.codec import ulaw_to_pcm16
from ivr.cli import main
from ivr.tts.espeak import EspeakSynthesizer

GRAMMARS = Path(__file__).resolve().parents[2] / "grammars"


def record(path: Path, text: str, voice: str = "gmw/en-us") -> None:
    speech = EspeakSynthesizer().synthesize(text, voice, 150)
    pcm = ulaw_to_pcm16(telephone_channel(speech.pcm, speech.rate))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm)


@pytest.fixture(autouse=True)
def _engine_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IVR_ASR", "auto")
    monkeypatch.delenv("IVR_VOSK_MODEL", raising=False)
    monkeypatch.setenv("IVR_MODELS_DIR", str(tmp_path / "no-models"))
    monkeypatch.setenv("IVR_GRAMMAR_DIR", str(GRAMMARS / "en"))


@pytest.mark.slow
def test_eval_reports_rates_and_never_acts_on_out_of_scope_speech(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ("a.wav", "I'd like to know how much money I have", "balance", "main"),
        ("b.wav", "what's the weather like in Boston today", "no_match", "main"),
        ("c.wav", "can you tell me the routing number", "no_match", "main"),
        ("d.wav", "yes please", "yes", "confirm"),
    ]
    lines = ["file,expected,menu"]
    for name, text, expected, menu in rows:
        record(tmp_path / name, text)
        lines.append(f"{name},{expected},{menu}")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert main(["grammar", "eval", str(manifest)]) == 0
    out = capsys.readouterr().out
    assert "4 recordings" in out
    assert "second pass: whisper" in out
    assert "out of scope (2): not acted on 100.0%" in out
    assert "ACTED ON   0.0%" in out
    assert "confusion (rows: expected, columns: decided):" in out
    assert "ms CPU per recording" in out


def test_eval_refuses_a_manifest_with_a_missing_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,expected\nnowhere.wav,balance\n", encoding="utf-8")
    assert main(["grammar", "eval", str(manifest)]) == 2
    assert f"{manifest}:2: no such recording: 'nowhere.wav'" in capsys.readouterr().err
