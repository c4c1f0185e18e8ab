"""Speech engines run as a command per request: Festival and Flite (Debian packages).

Like :mod:`ivr.tts.espeak`, each request starts a fresh process, so the same text, voice
and rate always give the same audio. They exist to voice *simulated callers* with voices
unlike the prompts' (evaluation sets, ``ivr call --voice``): a recognizer tuned on one
synthetic voice must be measured on others.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from ivr.tts.synth import Speech, SynthesisError

NATURAL_RATE = 150
"""Words per minute these voices speak at unstretched; other rates stretch durations."""


def _read_wav(path: Path, engine: str) -> Speech:
    with wave.open(str(path)) as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getnframes() == 0:
            raise SynthesisError(f"{engine} produced no usable audio")
        return Speech(pcm=w.readframes(w.getnframes()), rate=w.getframerate())


def _run(argv: list[str], text: str, engine: str, timeout_s: float) -> None:
    try:
        done = subprocess.run(
            argv, input=text.encode("utf-8"), capture_output=True, timeout=timeout_s, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SynthesisError(f"{engine} failed: {exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise SynthesisError(f"{engine} failed: {detail}")


def _binary(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SynthesisError(f"{name} not found: install the {package} package")
    return found


class FestivalSynthesizer:
    """Festival's ``text2wave``; voices are Festival voice names (``kal_diphone``,
    ``ked_diphone``, ``cmu_us_slt_arctic_hts``)."""

    name = "festival"

    def __init__(self, timeout_s: float = 60.0) -> None:
        self._binary = _binary("text2wave", "festival")
        self._timeout_s = timeout_s

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        if not text.strip():
            raise SynthesisError("nothing to say: empty text")
        if not voice.replace("_", "").isalnum():
            raise SynthesisError(f"festival voice names are letters, digits and _: {voice!r}")
        stretch = NATURAL_RATE / max(rate, 1)
        setup = f"(begin (voice_{voice}) (Parameter.set 'Duration_Stretch {stretch:.3f}))"
        with tempfile.TemporaryDirectory(prefix="ivr-festival-") as tmp:
            out = Path(tmp) / "speech.wav"
            _run([self._binary, "-eval", setup, "-o", str(out)], text, "festival", self._timeout_s)
            if not out.exists():
                raise SynthesisError(f"festival has no voice {voice!r}")
            return _read_wav(out, "festival")

    def close(self) -> None:
        """Nothing to stop: every request runs in its own process."""


class FliteSynthesizer:
    """The ``flite`` command; voices are its built-in ones (``flite -lv``: kal, awb, rms, slt)."""

    name = "flite"

    def __init__(self, timeout_s: float = 30.0) -> None:
        self._binary = _binary("flite", "flite")
        self._timeout_s = timeout_s
        self._voices: frozenset[str] | None = None

    def _known_voices(self) -> frozenset[str]:
        if self._voices is None:
            listing = subprocess.run(
                [self._binary, "-lv"], capture_output=True, timeout=self._timeout_s, check=False
            ).stdout.decode("utf-8", "replace")
            self._voices = frozenset(listing.split(":", 1)[-1].split())
        return self._voices

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        if not text.strip():
            raise SynthesisError("nothing to say: empty text")
        # flite silently falls back to its default voice for an unknown one.
        if voice not in self._known_voices():
            raise SynthesisError(f"flite has no voice {voice!r} (see flite -lv)")
        stretch = NATURAL_RATE / max(rate, 1)
        with tempfile.TemporaryDirectory(prefix="ivr-flite-") as tmp:
            out = Path(tmp) / "speech.wav"
            text_file = Path(tmp) / "text.txt"
            text_file.write_text(text, encoding="utf-8")
            argv = [self._binary, "-voice", voice, "-f", str(text_file), "-o", str(out)]
            _run([*argv, "--setf", f"duration_stretch={stretch:.3f}"], "", "flite", self._timeout_s)
            return _read_wav(out, "flite")

    def close(self) -> None:
        """Nothing to stop: every request runs in its own process."""
