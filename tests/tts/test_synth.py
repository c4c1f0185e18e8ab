"""The real pyttsx3 synthesizer in its worker process."""

from __future__ import annotations

import pytest

from ivr.tts.synth import Pyttsx3Synthesizer, SynthesisError


def test_synth_speaks_text_as_pcm(synth: Pyttsx3Synthesizer) -> None:
    speech = synth.synthesize("Your balance is ready.", "gmw/en-us", 165)
    assert speech.rate == 22050
    assert len(speech.pcm) > speech.rate  # more than half a second of 16-bit audio


def test_synth_longer_text_gives_longer_audio(synth: Pyttsx3Synthesizer) -> None:
    short = synth.synthesize("Yes.", "gmw/en-us", 165)
    long = synth.synthesize("Yes. Your checking account ending in 1 2 3 4.", "gmw/en-us", 165)
    assert len(long.pcm) > 2 * len(short.pcm)


def test_synth_empty_text_is_refused(synth: Pyttsx3Synthesizer) -> None:
    with pytest.raises(SynthesisError, match="empty"):
        synth.synthesize("   ", "gmw/en-us", 165)


def test_synth_worker_that_dies_is_restarted() -> None:
    synth = Pyttsx3Synthesizer()
    try:
        synth.synthesize("first", "gmw/en-us", 165)
        assert synth._proc is not None
        synth._proc.kill()
        synth._proc.wait()
        assert len(synth.synthesize("second", "gmw/en-us", 165).pcm) > 0
    finally:
        synth.close()
