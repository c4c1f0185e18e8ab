"""The real pyttsx3 synthesizer in its worker process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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


HANGS_ONCE = """
import pathlib, sys, time
marker = pathlib.Path(sys.argv[1])
if not marker.exists():
    marker.touch()
    sys.stdin.readline()
    time.sleep(600)  # a worker stuck in the speech engine
import runpy
sys.argv = ["ivr.tts.worker"]
runpy.run_module("ivr.tts.worker", run_name="__main__")
"""


def test_synth_hung_worker_is_killed_at_the_timeout_and_replaced(tmp_path: Path) -> None:
    command = [sys.executable, "-c", HANGS_ONCE, str(tmp_path / "hung-once")]
    synth = Pyttsx3Synthesizer(timeout_s=1.0, command=command)
    try:
        with pytest.raises(SynthesisError, match="did not answer within 1 s"):
            synth.synthesize("first", "gmw/en-us", 165)
        assert synth._proc is None  # the hung worker is gone
        synth._timeout_s = 30.0  # a fresh worker's first render includes its warm-up
        assert len(synth.synthesize("second", "gmw/en-us", 165).pcm) > 0
    finally:
        synth.close()


def test_synth_audio_passes_through_ram_and_is_deleted(synth: Pyttsx3Synthesizer) -> None:
    synth.synthesize("Your checking account ending in 4 3 2 1.", "gmw/en-us", 165)
    if Path("/dev/shm").is_dir():
        assert synth.tmpdir.startswith("/dev/shm/")
    assert os.stat(synth.tmpdir).st_mode & 0o777 == 0o700
    assert os.listdir(synth.tmpdir) == []
