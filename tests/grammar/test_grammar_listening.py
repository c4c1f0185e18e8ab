"""The regression I/O edge with real components: pyttsx3, the telephone channel, PocketSphinx
and (when given) the Whisper second pass."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from ivr.asr.pocketsphinx_engine import PocketSphinxEngine
from ivr.evaluation.listening import PhoneListener, read_wav
from ivr.grammar import compile_menu, load_grammar_dir
from ivr.grammar.regression import Case, Condition
from ivr.tts.synth import Pyttsx3Synthesizer

GRAMMARS = Path(__file__).resolve().parents[2] / "grammars"


@pytest.fixture(scope="module")
def engine() -> PocketSphinxEngine:
    return PocketSphinxEngine()


def test_listening_spoken_case_is_recognized_over_the_phone_line(
    synth: Pyttsx3Synthesizer, engine: PocketSphinxEngine
) -> None:
    compiled = compile_menu(load_grammar_dir(GRAMMARS / "en").menu("main"))
    listener = PhoneListener(synth, engine)
    case = Case("lost_card", "main.yaml", 1, say="I lost my card")
    heard = listener(case, Condition("gmw/en-us", 150, 0), compiled)
    # Without a second pass the grammar pass decides, with its own confidence.
    assert heard.text == heard.meaning == "i lost my card"
    assert 0.5 < heard.confidence <= 1.0


def test_listening_with_the_second_pass_hears_what_was_said(
    synth: Pyttsx3Synthesizer, engine: PocketSphinxEngine
) -> None:
    from ivr.asr.whisper_engine import WhisperEngine
    from ivr.recognition.freepass import FreePass

    compiled = compile_menu(load_grammar_dir(GRAMMARS / "en").menu("main"))
    listener = PhoneListener(synth, engine, FreePass(WhisperEngine()))
    case = Case("no_match", "main.yaml", 1, say="what is the weather like in Boston")
    heard = listener(case, Condition("gmw/en-us", 150, 0), compiled)
    assert "weather" in heard.text  # the free-form transcript, not a grammar sentence
    assert heard.meaning == "" and heard.confidence == 0.0


def test_listening_recording_is_read_from_its_wav_file(
    synth: Pyttsx3Synthesizer, engine: PocketSphinxEngine, tmp_path: Path
) -> None:
    speech = synth.synthesize("goodbye", "gmw/en-us", 150)
    recording = tmp_path / "goodbye.wav"
    with wave.open(str(recording), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(speech.rate)
        wav.writeframes(speech.pcm)
    assert read_wav(recording) == speech
    compiled = compile_menu(load_grammar_dir(GRAMMARS / "en").menu("main"))
    case = Case("goodbye", "main.yaml", 1, wav=recording)
    listener = PhoneListener(synth, engine)
    assert listener(case, Condition("ignored", 150, 0), compiled).text == "goodbye"


def test_listening_stereo_recording_is_refused(tmp_path: Path) -> None:
    recording = tmp_path / "stereo.wav"
    with wave.open(str(recording), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0\0\0" * 10)
    with pytest.raises(ValueError, match="16-bit mono"):
        read_wav(recording)
