"""The synthesizer port and its pyttsx3 adapter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import wave
from dataclasses import dataclass
from typing import IO, Protocol


class SynthesisError(RuntimeError):
    """Speech synthesis failed; the message says why."""


@dataclass(frozen=True)
class Speech:
    """Synthesized speech: 16-bit mono PCM at ``rate`` Hz."""

    pcm: bytes
    rate: int


class Synthesizer(Protocol):
    """Turns text into speech. Blocking: call from a worker thread in async code."""

    name: str

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        """Speak ``text`` with ``voice`` at ``rate`` words per minute."""


class Pyttsx3Synthesizer:
    """pyttsx3 in a long-lived worker process (see :mod:`ivr.tts.worker`).

    Requests are serialized by a lock; a worker that dies is restarted on the next call.
    """

    name = "pyttsx3"

    def __init__(self, timeout_s: float = 30.0) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._timeout_s = timeout_s
        self._tmpdir = tempfile.mkdtemp(prefix="ivr-tts-")

    def _worker(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "ivr.tts.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                bufsize=1,
            )
        return self._proc

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        if not text.strip():
            raise SynthesisError("nothing to say: empty text")
        with self._lock:
            out = os.path.join(self._tmpdir, f"{threading.get_ident()}.wav")
            proc = self._worker()
            stdin: IO[str] | None = proc.stdin
            stdout: IO[str] | None = proc.stdout
            assert stdin is not None and stdout is not None  # both are PIPEs
            try:
                stdin.write(json.dumps({"text": text, "voice": voice, "rate": rate, "out": out}))
                stdin.write("\n")
                stdin.flush()
                line = stdout.readline()
            except (BrokenPipeError, OSError) as exc:
                self.close()
                raise SynthesisError(f"speech worker died: {exc}") from exc
            if not line:
                self.close()
                raise SynthesisError("speech worker exited without answering")
            reply = json.loads(line)
            if not reply.get("ok"):
                raise SynthesisError(str(reply.get("error", "unknown synthesis error")))
            with wave.open(out) as w:
                speech = Speech(pcm=w.readframes(w.getnframes()), rate=w.getframerate())
            os.remove(out)
            return speech

    def close(self) -> None:
        """Stop the worker process (it is restarted on demand)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
