"""The speech evaluation corpus: labelled caller sentences, the voices and lines they are heard in.

Two splits, kept apart on purpose:

* ``dev`` (``bench/speech/en/dev.yaml``) is what grammars, keywords, thresholds and code are
  tuned on, heard in the :data:`DEV_VOICES`.
* ``test`` (``bench/speech/en/test.yaml``) is held out: written blind to the grammars by
  someone else, heard in *other* voices (:data:`TEST_VOICES`, other engines and accents),
  and only ever reported on. Nothing is tuned on it.

Every sentence is heard clean in every voice of its split, and once more with 15 dB SNR line
noise, once slowed and once sped up by 10 % (each in another voice of the split, rotating), all
through the telephone channel (300–3400 Hz, 8 kHz μ-law). Real human recordings are a third
source (:mod:`bench.speech.human`), kept outside the repository.
"""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from ivr.audio.channel import telephone_channel
from ivr.audio.codec import ulaw_to_pcm16
from ivr.tts.voices import synthesizer_for

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "test")
NO_MATCH = "no_match"


@dataclass(frozen=True)
class Voice:
    """A caller voice: ``engine:voice`` spec and speaking rate (words per minute)."""

    spec: str
    rate: int = 150

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in f"{self.spec}-{self.rate}").lower()


DEV_VOICES = (
    Voice("espeak:gmw/en-us", 150),
    Voice("espeak:gmw/en-gb-scotland+m3", 165),
    Voice("festival:kal_diphone", 150),
    Voice("flite:rms", 150),
)
"""Voices tuning may listen to."""

TEST_VOICES = (
    Voice("espeak:gmw/en-029+f2", 155),
    Voice("espeak:gmw/en-us-nyc+m4", 145),
    Voice("espeak:gmw/en-gb-x-rp+f4", 160),
    Voice("pyttsx3:gmw/en-gb-x-gbcwmd", 150),
    Voice("festival:ked_diphone", 150),
    Voice("festival:cmu_us_slt_arctic_hts", 150),
    Voice("flite:awb", 150),
    Voice("flite:slt", 150),
    Voice("piper:joe", 150),
)
"""Held-out voices: no engine voice, accent or rate of the dev split."""

VOICES = {"dev": DEV_VOICES, "test": TEST_VOICES}


@dataclass(frozen=True)
class Variant:
    """How the line treats the speech: noise (SNR dB) and tempo (1.0 = as spoken)."""

    name: str
    snr_db: float | None = None
    tempo: float = 1.0


CLEAN = Variant("clean")
EXTRA_VARIANTS = (
    Variant("noise15", snr_db=15.0),
    Variant("slow10", tempo=0.9),
    Variant("fast10", tempo=1.1),
)


@dataclass(frozen=True)
class Item:
    """One labelled sentence: what a caller says at ``menu`` and what it means."""

    menu: str
    expected: str
    """An intent id, ``no_match``, or ``digits:NNNN`` for digit strings."""
    text: str


@dataclass(frozen=True)
class Clip:
    """One rendered trial: the item in one voice and line condition."""

    item: Item
    voice: str
    variant: str
    file: Path


def load_items(split: str, language: str = "en") -> list[Item]:
    """Every labelled sentence of ``split``, in file order."""
    data = yaml.safe_load((HERE / language / f"{split}.yaml").read_text(encoding="utf-8"))
    if data.get("split") != split:
        raise ValueError(f"{split}.yaml says split {data.get('split')!r}")
    items = []
    for menu, intents in data["menus"].items():
        for intent, entries in intents.items():
            for entry in entries:
                if isinstance(entry, dict):
                    items.append(Item(menu, f"digits:{entry['digits']}", str(entry["say"])))
                else:
                    items.append(Item(menu, str(intent), str(entry)))
    return items


def plan(split: str, items: list[Item]) -> Iterator[tuple[Item, Voice, Variant]]:
    """Every (sentence, voice, condition) of the split: clean in every voice, then each extra
    condition once, in a voice that rotates with the sentence."""
    voices = VOICES[split]
    for index, item in enumerate(items):
        for voice in voices:
            yield item, voice, CLEAN
        for offset, variant in enumerate(EXTRA_VARIANTS, start=1):
            yield item, voices[(index + offset) % len(voices)], variant


def _tempo(pcm: bytes, rate: int, factor: float) -> bytes:
    """Change speed, keeping pitch (sox's WSOLA ``tempo``)."""
    with tempfile.TemporaryDirectory(prefix="ivr-tempo-") as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        _write_wav(src, pcm, rate)
        subprocess.run(["sox", str(src), str(dst), "tempo", "-s", f"{factor}"], check=True)
        with wave.open(str(dst)) as w:
            frames: bytes = w.readframes(w.getnframes())
            return frames


def _write_wav(path: Path, pcm: bytes, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)


def render(item: Item, voice: Voice, variant: Variant, seed: int) -> bytes:
    """8 kHz 16-bit PCM of ``item`` said by ``voice`` over a phone line in ``variant``."""
    synth, name = synthesizer_for(voice.spec)
    speech = synth.synthesize(item.text, name, voice.rate)
    pcm = speech.pcm
    if variant.tempo != 1.0:
        pcm = _tempo(pcm, speech.rate, variant.tempo)
    return ulaw_to_pcm16(telephone_channel(pcm, speech.rate, snr_db=variant.snr_db, seed=seed))


def build(split: str, out: Path, *, limit: int | None = None) -> Path:
    """Render every clip of ``split`` under ``out`` (reusing clips already there) and write
    ``out/<split>/manifest.csv``; returns the manifest's path."""
    items = load_items(split)
    if limit is not None:
        items = items[:: max(1, len(items) // limit)][:limit]
    root = out / split
    rows = []
    for item, voice, variant in plan(split, items):
        key = f"{item.menu}|{item.text}|{voice.slug}|{variant.name}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        file = root / voice.slug / variant.name / f"{digest}.wav"
        if not file.exists():
            file.parent.mkdir(parents=True, exist_ok=True)
            pcm = render(item, voice, variant, seed=int(digest[:8], 16))
            _write_wav(file, pcm, 8000)
        rows.append(
            [
                str(file.relative_to(root)),
                item.expected,
                item.menu,
                voice.spec,
                variant.name,
                item.text,
            ]
        )
    manifest = root / "manifest.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["file", "expected", "menu", "voice", "variant", "text"])
    writer.writerows(rows)
    manifest.write_text(buffer.getvalue(), encoding="utf-8")
    return manifest


HUMAN_DEV_SPEAKERS = frozenset({"fsdd:george", "fsdd:jackson"})
"""Real speakers tuning may listen to (digit strings); every other human recording is held
out. Two of FSDD's six speakers: the only human digits there are, so the split is by person."""


def build_human(split: str, source: Path, out: Path) -> Path | None:
    """The human recordings of ``split`` (from :mod:`bench.speech.human`'s manifest at
    ``source``) sent through the telephone channel (band limit and μ-law; no added noise, a
    recording keeps its own room); ``out/human-<split>/manifest.csv``, or None without them."""
    if not source.is_file():
        return None
    root = out / f"human-{split}"
    rows = []
    with source.open(encoding="utf-8", newline="") as handle:
        for raw in csv.DictReader(handle):
            speaker = raw.get("speaker", "")
            if (speaker in HUMAN_DEV_SPEAKERS) != (split == "dev"):
                continue
            file = root / raw["file"]
            if not file.exists():
                with wave.open(str(source.parent / raw["file"])) as w:
                    pcm, rate = w.readframes(w.getnframes()), w.getframerate()
                file.parent.mkdir(parents=True, exist_ok=True)
                line = telephone_channel(pcm, rate, lead_ms=0, tail_ms=0, noise=False)
                _write_wav(file, ulaw_to_pcm16(line), 8000)
            rows.append(
                [
                    raw["file"],
                    raw["expected"],
                    raw["menu"],
                    speaker,
                    raw.get("source", ""),
                    raw.get("text", ""),
                ]
            )
    manifest = root / "manifest.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["file", "expected", "menu", "voice", "variant", "text"])
    writer.writerows(rows)
    root.mkdir(parents=True, exist_ok=True)
    manifest.write_text(buffer.getvalue(), encoding="utf-8")
    return manifest
