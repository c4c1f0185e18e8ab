"""Out-of-process pyttsx3 worker: ``python -m ivr.tts.worker``.

pyttsx3's espeak driver is a process-wide singleton, not thread-safe, prints to stdout,
and a crash in espeak would take the whole server down. So synthesis runs in its own
process: one JSON request per line on stdin, one JSON reply per line on the original
stdout (pyttsx3's own prints are redirected to stderr).

Request:  {"text": "Hello", "voice": "gmw/en-us", "rate": 160, "out": "/tmp/x.wav"}
Reply:    {"ok": true} or {"ok": false, "error": "..."}
"""

from __future__ import annotations

import json
import os
import sys
import wave
from typing import Any


def _serve() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr  # pyttsx3 prints "Audio saved to ..." on stdout
    import pyttsx3

    engine: Any = pyttsx3.init()
    # pyttsx3 2.99's espeak driver drops the first utterances after init (no file, then
    # an empty one); warm it up before serving real requests.
    warmup = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"ivr-tts-warmup-{os.getpid()}.wav")
    for _ in range(4):
        try:
            _render(engine, "ready", "gmw/en", 175, warmup)
            break
        except Exception:  # expected for the first attempts
            continue
    for line in sys.stdin:
        reply: dict[str, Any] = {"ok": False, "error": "not attempted"}
        for _attempt in range(3):
            try:
                request = json.loads(line)
                _render(
                    engine,
                    str(request["text"]),
                    str(request["voice"]),
                    int(request["rate"]),
                    str(request["out"]),
                )
                reply = {"ok": True}
                break
            except Exception as exc:  # reported to the caller, never fatal here
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply) + "\n")


def _render(engine: Any, text: str, voice: str, rate: int, out: str) -> None:
    engine.setProperty("voice", voice)
    engine.setProperty("rate", rate)
    if os.path.exists(out):
        os.remove(out)
    engine.save_to_file(text, out)
    engine.runAndWait()
    with wave.open(out) as w:  # proves the file exists and is complete
        if w.getnframes() == 0:
            raise RuntimeError("synthesizer produced no audio")


if __name__ == "__main__":
    _serve()
