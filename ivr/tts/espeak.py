"""espeak-ng run once per request: the reproducible voice of simulated callers.

The hotline's prompts come from pyttsx3 (:mod:`ivr.tts.synth`). Its espeak-ng runs
asynchronously inside a long-lived process, and what it renders depends on what it said
before and on thread timing: measured, the same "main menu" came out different on every
request, and 4 out of 10 fresh workers differed under CPU load. A prompt does not care;
a simulated caller does, because a borderline recording then passes or fails a
recognition test by chance (a CI run heard "main menu" as "goodbye"). The espeak-ng
command synthesizes synchronously in a fresh process: the same text, voice and rate
always give the same audio (measured 10/10 identical under the same load), in ~15 ms.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from ivr.tts.synth import Speech, SynthesisError


class EspeakSynthesizer:
    """The ``espeak-ng`` command as a :class:`~ivr.tts.synth.Synthesizer`; stateless."""

    name = "espeak-ng"

    def __init__(self, binary: str = "espeak-ng", timeout_s: float = 30.0) -> None:
        found = shutil.which(binary)
        if found is None:
            raise SynthesisError(
                f"{binary} not found: install the espeak-ng package (make setup does)"
            )
        self._binary = found
        self._timeout_s = timeout_s
        self._voices: frozenset[str] | None = None

    def _known_voices(self) -> frozenset[str]:
        """Languages, names and files of the installed voices, lower case."""
        if self._voices is None:
            listing = subprocess.run(
                [self._binary, "--voices"], capture_output=True, timeout=self._timeout_s
            ).stdout.decode("utf-8", "replace")
            names: set[str] = set()
            for line in listing.splitlines()[1:]:
                fields = line.split()
                if len(fields) >= 5:
                    names.update(f.lower() for f in (fields[1], fields[3], fields[4]))
            self._voices = frozenset(names)
        return self._voices

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        if not text.strip():
            raise SynthesisError("nothing to say: empty text")
        # espeak-ng silently falls back to its default voice for an unknown one.
        if voice.split("+", 1)[0].lower() not in self._known_voices():
            raise SynthesisError(f"espeak-ng has no voice {voice!r} (see espeak-ng --voices)")
        with tempfile.TemporaryDirectory(prefix="ivr-espeak-") as tmp:
            out = Path(tmp) / "speech.wav"
            try:
                # Text on stdin: a phrase starting with "-" must not be read as an option.
                done = subprocess.run(
                    [self._binary, "-v", voice, "-s", str(rate), "-w", str(out)],
                    input=text.encode("utf-8"),
                    capture_output=True,
                    timeout=self._timeout_s,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SynthesisError(f"espeak-ng failed: {exc}") from exc
            if done.returncode != 0 or not out.exists():
                detail = done.stderr.decode("utf-8", "replace").strip() or "no output"
                raise SynthesisError(f"espeak-ng failed for voice {voice!r}: {detail}")
            with wave.open(str(out)) as w:
                if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getnframes() == 0:
                    raise SynthesisError("espeak-ng produced no usable audio")
                return Speech(pcm=w.readframes(w.getnframes()), rate=w.getframerate())

    def close(self) -> None:
        """Nothing to stop: every request runs in its own process."""
