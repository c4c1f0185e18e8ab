"""The synthesizer port and its pyttsx3 adapter.

pyttsx3 can only render to a file, and personal prompts (balances, a read-back account
number) must never reach a disk: the worker writes into a private directory on a RAM
file system (``/dev/shm``) when there is one, and each file is deleted as soon as it is
read. A worker that stops answering is killed after ``timeout_s`` and replaced at the next
request, so one hung synthesis cannot stall every call.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Protocol

RAM_DIR = "/dev/shm"
WORKER = (sys.executable, "-m", "ivr.tts.worker")


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

    def __init__(self, timeout_s: float = 10.0, command: Sequence[str] = WORKER) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._timeout_s = timeout_s
        self._command = list(command)
        self.tmpdir = private_scratch_dir()
        """Where the worker's WAV files briefly live (RAM when the machine has it)."""

    def _worker(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                self._command,
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
            out = os.path.join(self.tmpdir, f"{threading.get_ident()}.wav")
            try:
                reply = self._ask({"text": text, "voice": voice, "rate": rate, "out": out})
                if not reply.get("ok"):
                    raise SynthesisError(str(reply.get("error", "unknown synthesis error")))
                with wave.open(out) as w:
                    return Speech(pcm=w.readframes(w.getnframes()), rate=w.getframerate())
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(out)  # the audio may be a caller's balance: never left behind

    def _exchange(self, request: str) -> str | None:
        """Send one request line; its reply line, or None when none came in time."""
        proc = self._worker()
        stdin: IO[str] | None = proc.stdin
        stdout: IO[str] | None = proc.stdout
        assert stdin is not None and stdout is not None  # both are PIPEs
        stdin.write(request + "\n")
        stdin.flush()
        # One reply line per request, so Python's buffer is empty here: the pipe's
        # readiness is the reply's.
        ready, _, _ = select.select([stdout], [], [], self._timeout_s)
        return stdout.readline() if ready else None

    def _ask(self, request: dict[str, object]) -> dict[str, object]:
        """One request to the worker and its reply, within the timeout (lock held)."""
        try:
            line = self._exchange(json.dumps(request))
        except (BrokenPipeError, OSError) as exc:
            self.close()
            raise SynthesisError(f"speech worker died: {exc}") from exc
        if line is None:
            self.close()  # killed; the next request starts a fresh worker
            raise SynthesisError(f"speech worker did not answer within {self._timeout_s:g} s")
        if not line:
            self.close()
            raise SynthesisError("speech worker exited without answering")
        reply: dict[str, object] = json.loads(line)
        return reply

    def close(self) -> None:
        """Stop the worker process (it is restarted on demand)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


def private_scratch_dir() -> str:
    """A new 0700 directory on a RAM file system if the machine has one, else the usual
    temporary directory (then the files are still deleted at once, but touch a disk)."""
    ram = RAM_DIR if os.path.isdir(RAM_DIR) and os.access(RAM_DIR, os.W_OK) else None
    return tempfile.mkdtemp(prefix="ivr-tts-", dir=ram)
