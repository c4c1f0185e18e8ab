"""Evaluation manifests: a CSV of recordings and what each one means.

``file,expected`` are required; ``menu`` (default ``main``), ``voice`` and ``variant``
(grouping columns for reports) and ``text`` (what was said) are optional::

    file,expected,menu
    calls/0001.wav,balance,main
    calls/0002.wav,no_match,main
    calls/0003.wav,digits:2468,pin

``expected`` is an intent of the menu, ``no_match`` for anything the menu must not act on
(out-of-scope speech, coughs, line noise), or ``digits:NNNN`` for a spoken digit string.
Files are 16-bit mono WAV at any rate, relative to the manifest.
"""

from __future__ import annotations

import csv
import wave
from dataclasses import dataclass
from pathlib import Path

from ivr.audio.codec import resample

NO_MATCH = "no_match"
DIGITS_PREFIX = "digits:"


class ManifestError(ValueError):
    """A manifest row cannot be used; the message names the file, line and problem."""


@dataclass(frozen=True)
class Sample:
    """One labelled recording."""

    file: Path
    expected: str
    menu: str = "main"
    voice: str = ""
    variant: str = ""
    text: str = ""

    @property
    def kind(self) -> str:
        """``in`` (an intent), ``oos`` (must not be acted on) or ``digits``."""
        if self.expected == NO_MATCH:
            return "oos"
        return "digits" if self.expected.startswith(DIGITS_PREFIX) else "in"


def read_manifest(path: Path) -> list[Sample]:
    """Every row of ``path``; :class:`ManifestError` for a missing column, file or label."""
    samples = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"file", "expected"} - set(reader.fieldnames or ())
        if missing:
            raise ManifestError(f"{path}:1: missing column(s): {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            file = (path.parent / (row["file"] or "")).resolve()
            expected = (row["expected"] or "").strip()
            if not row["file"] or not file.is_file():
                raise ManifestError(f"{path}:{line}: no such recording: {row['file']!r}")
            digits = expected.removeprefix(DIGITS_PREFIX)
            if not expected or (expected.startswith(DIGITS_PREFIX) and not digits.isdigit()):
                raise ManifestError(f"{path}:{line}: bad expected value {expected!r}")
            samples.append(
                Sample(
                    file,
                    expected,
                    (row.get("menu") or "main").strip(),
                    (row.get("voice") or row.get("speaker") or "").strip(),
                    (row.get("variant") or "").strip(),
                    (row.get("text") or "").strip(),
                )
            )
    return samples


def read_audio(path: Path) -> bytes:
    """16-bit mono PCM at 8 kHz, the rate calls arrive at (other rates are resampled)."""
    with wave.open(str(path)) as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ManifestError(f"{path}: need 16-bit mono WAV")
        pcm = w.readframes(w.getnframes())
        rate = w.getframerate()
    return pcm if rate == 8000 else resample(pcm, rate, 8000)
