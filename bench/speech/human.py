"""Build a small evaluation set of REAL human English recordings for the IVR recognizer.

``python -m bench.speech.human --fsdd PATH --out /work/data/human [--mirrors DIR] [--seed N]``

Writes ``OUT/clips/<source>/*.wav`` (16-bit mono PCM; 8 kHz for FSDD material, 16 kHz for
everything else) and ``OUT/manifest.csv`` with the columns
``file,expected,menu,speaker,source,text``: ``file`` is relative to OUT, ``expected`` an
intent id, ``no_match`` (out-of-scope speech or a non-speech human sound) or
``digits:NNNN`` for digit menus.

Everything is read from local mirrors of public GitHub repositories (bare git
directories, read with ``git ls-tree`` / ``git cat-file`` at the pinned commits below);
nothing is downloaded. The output is deterministic for a given seed and set of mirrors.
The audio is evaluation data only: it is never committed to this repository (only
this script is).

Sources (dataset, where it is mirrored from, licence, what it becomes):

* Free Spoken Digit Dataset (FSDD), https://github.com/Jakobovski/free-spoken-digit-dataset,
  CC BY-SA 4.0. Six male speakers (US, Belgian-French, German, Greek accents), 50 takes
  of each digit 0-9. Takes of ONE speaker are trimmed (energy threshold), brought to a
  common speech level (-24 dBFS) and laid, with natural pauses (80-450 ms; in account
  numbers sometimes 0.45-0.8 s between groups of four), over one continuous bed of noise
  at that speaker's own background level (so each speaker keeps his SNR and the pauses
  are neither digital silence nor gated noise). Digit strings are drawn at random
  (seeded) from balanced digit bags, with PIN shapes like 5555, 1001, 3377, 2323.
  Results: 4-digit PINs (menu ``pin``) and 12-digit account numbers (menu
  ``account_number``); where a slow speaker's 12 digits would exceed 8 s, the pauses
  are shortened proportionally (never below 80 ms). No take is reused before all 50
  takes of that digit and speaker have been used.
* Picovoice speech-to-intent benchmark, https://github.com/Picovoice/speech-to-intent-benchmark,
  Apache-2.0. Crowd-sourced coffee-maker commands ("a large iced mocha with ...") from
  more than 50 unnamed speakers (no per-file speaker id): real out-of-scope speech,
  ``no_match`` at ``main``. Orders that mention a word of the IVR vocabulary (e.g.
  "house coffee") are left out.
* Cough-Etiquette (ISSC 2021 audio), https://github.com/paulleamy/Cough-Etiquette, by
  Paul Leamy (TU Dublin). The repository has NO licence file; its README says the
  recordings were contributed for public release and public use. Single coughs of ten
  participants, grouped 1-3 per clip as ``no_match`` at ``main``. Drop this source with
  ``--skip cough`` if that is not enough for your use.
* CMU ARCTIC samples (speakers aew, axb) as shipped in pyroomacoustics,
  https://github.com/LCAV/pyroomacoustics (``examples/input_samples``; repository MIT,
  CMU ARCTIC under its own permissive BSD-style licence, http://www.festvox.org/cmu_arctic/).
  Read sentences, ``no_match`` at ``main``.
* PocketSphinx test data, https://github.com/cmusphinx/pocketsphinx (BSD-style CMU licence):
  five LibriVox sentences of "Sense and Sensibility" (public domain, with transcripts)
  and the ``goforward.raw`` command "go forward ten meters"; ``no_match`` at ``main``.

Not found with committed, licence-clean audio (see the task report): English yes/no
recordings (Speech Commands subsets), laughter/sigh/breathing recordings, and any
banking/insurance request recordings (SLURP, MINDS-14, Fluent Speech Commands and
Skit-S2I keep their audio off GitHub). The ``confirm``, ``anything_else`` and
``policy_choice`` menus therefore get no clips from this script.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import re
import shutil
import subprocess
import sys
import wave
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]

MAX_CLIP_S = 8.0
FSDD_RATE = 8000
OTHER_RATE = 16000
PER_SOURCE_CAP = 80
FSDD_SPEECH_LEVEL = 10 ** (-24 / 20)
"""Speech level (RMS of the voiced frames) of the FSDD digit strings: the takes' own
levels range from about -20 to -42 dBFS between speakers."""

FORBIDDEN_WORDS = frozenset(
    {
        "balance", "balances", "policy", "policies", "agent", "card", "cards", "menu",
        "repeat", "bye", "goodbye", "yes", "no", "home", "house", "car", "auto", "life",
        "operator", "representative", "insurance", "checking", "savings",
    }
)  # fmt: skip
"""Words of the IVR's own vocabulary: out-of-scope clips must not contain any of them."""


@dataclass(frozen=True)
class Mirror:
    """A public repository mirrored as a bare git directory, pinned to one commit."""

    repo: str
    commit: str


MIRRORS: dict[str, Mirror] = {
    "fsdd": Mirror(
        "Jakobovski/free-spoken-digit-dataset", "26eb9aaf76e81b692f806f9140c2d2777410d7a1"
    ),
    "picovoice": Mirror(
        "Picovoice/speech-to-intent-benchmark", "47b1ca63afe4f08cb83e1f70fec16764879bd130"
    ),
    "cough": Mirror("paulleamy/Cough-Etiquette", "692c9db96fe1ef875045ffe29f289d78d763f8e5"),
    "arctic": Mirror("LCAV/pyroomacoustics", "6fe43fecb7c358ac9aaa054e7e73641189f1afff"),
    "pocketsphinx": Mirror("cmusphinx/pocketsphinx", "511126b492dcb267cf30d49d631946d7b61a9530"),
}
"""Source key -> repository and the commit this script was written against."""


@dataclass(frozen=True)
class Row:
    """One manifest line."""

    file: str
    expected: str
    menu: str
    speaker: str
    source: str
    text: str


@dataclass
class Output:
    """Where clips go, and the manifest rows written so far."""

    root: Path
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, rel: str, audio: Audio, rate: int, row: Row) -> None:
        duration = len(audio) / rate
        if duration > MAX_CLIP_S + 1e-6:
            raise ValueError(f"{rel}: {duration:.2f} s is longer than {MAX_CLIP_S} s")
        write_wav(self.root / rel, audio, rate)
        self.rows.append(row)


# --------------------------------------------------------------------------- git mirrors


class GitTree:
    """Read-only view of one commit of a bare git directory."""

    def __init__(self, git_dir: Path, commit: str) -> None:
        self.git_dir = git_dir
        self.commit = commit
        probe = subprocess.run(
            ["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{commit}^{{commit}}"],
            capture_output=True,
        )
        if probe.returncode != 0:
            raise SystemExit(f"{git_dir}: pinned commit {commit} not found (refetch the mirror)")

    def files(self, prefix: str) -> list[str]:
        out = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), "ls-tree", "-r", "-z", "--name-only",
             self.commit, "--", prefix],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        return sorted(p.decode() for p in out.split(b"\0") if p)

    def read_many(self, paths: Sequence[str]) -> dict[str, bytes]:
        """Contents of many files in one ``git cat-file --batch`` call."""
        request = "".join(f"{self.commit}:{p}\n" for p in paths).encode()
        out = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), "cat-file", "--batch"],
            input=request, capture_output=True, check=True,
        ).stdout  # fmt: skip
        result: dict[str, bytes] = {}
        pos = 0
        for path in paths:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            if len(header) < 3 or header[1] != b"blob":
                raise SystemExit(f"{self.git_dir}: {path} is missing at {self.commit}")
            size = int(header[2])
            result[path] = out[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return result

    def read(self, path: str) -> bytes:
        return self.read_many([path])[path]


def locate(mirrors: Path, key: str, override: Path | None) -> GitTree | None:
    mirror = MIRRORS[key]
    git_dir = override or mirrors / mirror.repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        print(f"warning: no mirror of {mirror.repo} at {git_dir}; skipping {key}", file=sys.stderr)
        return None
    return GitTree(git_dir, mirror.commit)


# --------------------------------------------------------------------------- audio helpers


def decode_wav(data: bytes) -> tuple[Audio, int]:
    """16-bit PCM WAV bytes to mono float32 in [-1, 1) and the sample rate."""
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"expected 16-bit PCM, got {8 * w.getsampwidth()}-bit")
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    x = pcm.astype(np.float32) / 32768.0
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1).astype(np.float32)
    return x, rate


def resample(x: Audio, rate_in: int, rate_out: int) -> Audio:
    """Band-limited resampling with sox (float in, float out: no dither, repeatable)."""
    if rate_in == rate_out:
        return x
    out = subprocess.run(
        ["sox", "-V1", "-R", "-t", "f32", "-r", str(rate_in), "-c", "1", "-",
         "-t", "f32", "-r", str(rate_out), "-c", "1", "-"],
        input=x.astype("<f4").tobytes(), capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(out, dtype="<f4").astype(np.float32)


def decode_at(data: bytes, rate: int) -> Audio:
    """WAV bytes as mono float32 at ``rate``."""
    x, rate_in = decode_wav(data)
    return resample(x, rate_in, rate)


def write_wav(path: Path, x: Audio, rate: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def frame_db(x: Audio, rate: int, frame_ms: float = 10.0) -> npt.NDArray[np.float64]:
    """RMS level of consecutive frames, in dBFS."""
    n = max(1, int(rate * frame_ms / 1000))
    frames = len(x) // n
    if frames == 0:
        return np.array([20 * np.log10(float(np.sqrt(np.mean(x**2))) + 1e-9)])
    blocks = x[: frames * n].astype(np.float64).reshape(frames, n)
    return np.asarray(20 * np.log10(np.sqrt(np.mean(blocks**2, axis=1)) + 1e-9), dtype=np.float64)


@dataclass(frozen=True)
class Trimmed:
    audio: Audio
    active_rms: float
    """RMS over frames above the threshold (the speech level)."""
    floor_rms: float
    """Level of the quietest frames of the untrimmed input (its background)."""


def trim(x: Audio, rate: int, margin_ms: float = 30.0) -> Trimmed:
    """Cut leading/trailing silence by energy: find the loud core (frames within 25 dB of
    the peak), then grow it outwards while frames stay 3 dB above the background (the
    10th-percentile frame level), so weak onsets and tails (/s/, /f/, /th/) are kept;
    then add a margin."""
    frame = max(1, rate // 100)
    levels = frame_db(x, rate)
    peak = float(levels.max())
    floor_db = float(np.percentile(levels, 10))
    quietest = float(np.percentile(levels, 2))
    core = np.flatnonzero(levels > peak - 25.0)
    if core.size == 0 or len(x) < frame:
        return Trimmed(x, float(np.sqrt(np.mean(x**2))), 10 ** (quietest / 20))
    first, last = int(core[0]), int(core[-1])
    keep_above = max(peak - 50.0, floor_db + 3.0)
    while first > 0 and levels[first - 1] > keep_above:
        first -= 1
    while last < len(levels) - 1 and levels[last + 1] > keep_above:
        last += 1
    margin = int(rate * margin_ms / 1000)
    start = max(0, first * frame - margin)
    end = min(len(x), (last + 1) * frame + margin)
    voiced = levels[first : last + 1]
    voiced = voiced[voiced > peak - 25.0]
    active_rms = float(np.sqrt(np.mean(10 ** (voiced / 10))))
    return Trimmed(x[start:end].copy(), active_rms, 10 ** (quietest / 20))


def fade(x: Audio, rate: int, ms: float = 5.0) -> Audio:
    n = min(len(x) // 2, int(rate * ms / 1000))
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        x = x.copy()
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def room_tone(rng: np.random.Generator, seconds: float, rate: int, rms: float) -> Audio:
    """Faint, slightly low-passed background noise (digital silence would be unnatural)."""
    n = round(seconds * rate)
    noise = np.convolve(rng.standard_normal(n + 3), np.ones(4) / 4, mode="valid")[:n]
    level = float(np.sqrt(np.mean(noise**2))) if n else 1.0
    return (noise * (rms / max(level, 1e-12))).astype(np.float32)


def limit_peak(x: Audio, peak: float = 0.95) -> Audio:
    top = float(np.max(np.abs(x))) if len(x) else 0.0
    return (x * (peak / top)).astype(np.float32) if top > peak else x


def overlay(
    parts: Sequence[Audio],
    gaps: Sequence[float],
    lead: float,
    tail: float,
    rate: int,
    bed_rms: float,
    nrng: np.random.Generator,
) -> Audio:
    """Lay recordings one after another over one continuous bed of background noise at
    ``bed_rms``, so the pauses are neither digital silence nor gated noise."""
    starts, t = [], lead
    for i, part in enumerate(parts):
        if i:
            t += gaps[i - 1]
        starts.append(round(t * rate))
        t += len(part) / rate
    total = starts[-1] + len(parts[-1]) + round(tail * rate)
    clip = room_tone(nrng, total / rate, rate, bed_rms)
    for start, part in zip(starts, parts, strict=True):
        clip[start : start + len(part)] += part
    return limit_peak(clip)


def rngs(seed: int, name: str) -> tuple[random.Random, np.random.Generator]:
    """Independent, stable random streams per source (not Python's salted ``hash``)."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return random.Random(digest), np.random.default_rng(int.from_bytes(digest[:8], "little"))


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def in_vocabulary(text: str) -> bool:
    return bool(words(text) & FORBIDDEN_WORDS)


# --------------------------------------------------------------------------- FSDD digits

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass(frozen=True)
class Take:
    name: str
    audio: Audio
    """Trimmed, faded, level-matched to its speaker."""


class DigitBag:
    """Digits drawn from shuffled bags of 0-9, so every digit is equally represented."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bag: list[int] = []

    def draw(self, avoid: Iterable[int] = ()) -> int:
        banned = set(avoid)
        if not self.bag:
            self.bag = list(range(10))
            self.rng.shuffle(self.bag)
        for i in range(len(self.bag) - 1, -1, -1):
            if self.bag[i] not in banned:
                return self.bag.pop(i)
        self.bag = []  # every digit left in this bag is to be avoided: start a new bag
        return self.draw(banned)


def pin_strings(rng: random.Random, count: int) -> list[str]:
    """4-digit PINs: mostly random, with the repeated shapes people pick (5555, 1001, 3377,
    2323, 7441)."""
    bag = DigitBag(rng)
    shapes = ["same", "abba", "aabb", "abab", "double"] * max(1, count // 15)
    shapes += ["random"] * (count - len(shapes))
    rng.shuffle(shapes)
    pins = []
    for shape in shapes[:count]:
        a = bag.draw()
        b = bag.draw([a])
        if shape == "same":
            digits = [a] * 4
        elif shape == "abba":
            digits = [a, b, b, a]
        elif shape == "aabb":
            digits = [a, a, b, b]
        elif shape == "abab":
            digits = [a, b, a, b]
        elif shape == "double":
            c = bag.draw([a, b])
            digits = [a, b, b, c] if rng.random() < 0.5 else [a, a, b, c]
        else:
            digits = [a, b, bag.draw(), bag.draw()]
        pins.append("".join(map(str, digits)))
    return pins


def account_strings(rng: random.Random, count: int) -> list[str]:
    """12-digit account numbers; about a third contain a run like 00 / 000 / 77."""
    bag = DigitBag(rng)
    numbers = []
    for _ in range(count):
        digits = [bag.draw() for _ in range(12)]
        if rng.random() < 0.35:
            run = rng.choice([2, 3])
            at = rng.randrange(0, 12 - run + 1)
            d = digits[at]
            digits[at : at + run] = [d] * run
        numbers.append("".join(map(str, digits)))
    return numbers


def level_to(take: Trimmed, level: float) -> Audio:
    """The trimmed take scaled to the speaker's typical speech level, with soft edges."""
    gain = np.float32(level / max(take.active_rms, 1e-6))
    return fade((take.audio * gain).astype(np.float32), FSDD_RATE)


def load_fsdd(tree: GitTree) -> tuple[dict[str, dict[int, list[Take]]], dict[str, float]]:
    """All takes per speaker and digit, trimmed and level-matched; and each speaker's
    background level."""
    paths = [p for p in tree.files("recordings/") if p.endswith(".wav")]
    blobs = tree.read_many(paths)
    raw: dict[str, dict[int, list[tuple[str, Trimmed]]]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        digit, speaker, _ = Path(path).stem.split("_")
        x, rate = decode_wav(blobs[path])
        if rate != FSDD_RATE:
            x = resample(x, rate, FSDD_RATE)
        raw[speaker][int(digit)].append((Path(path).name, trim(x, FSDD_RATE, margin_ms=10.0)))
    takes: dict[str, dict[int, list[Take]]] = {}
    floors: dict[str, float] = {}
    for speaker, by_digit in sorted(raw.items()):
        all_takes = [t for ts in by_digit.values() for _, t in ts]
        # Every take at the nominal speech level; the background keeps the speaker's SNR.
        gain = FSDD_SPEECH_LEVEL / float(np.median([t.active_rms for t in all_takes]))
        floor = gain * float(np.median([t.floor_rms for t in all_takes]))
        floors[speaker] = float(np.clip(floor, 10 ** (-75 / 20), 10 ** (-40 / 20)))
        takes[speaker] = {
            d: [Take(name, level_to(t, FSDD_SPEECH_LEVEL)) for name, t in sorted(ts)]
            for d, ts in sorted(by_digit.items())
        }
    return takes, floors


class TakePicker:
    """Hands out one speaker's takes of a digit in a shuffled order; reuses only when all
    50 takes of that digit have been used."""

    def __init__(self, takes: dict[int, list[Take]], rng: random.Random) -> None:
        self.takes = takes
        self.rng = rng
        self.queues: dict[int, list[Take]] = {}

    def pick(self, digit: int) -> Take:
        queue = self.queues.get(digit)
        if not queue:
            queue = list(self.takes[digit])
            self.rng.shuffle(queue)
            self.queues[digit] = queue
        return queue.pop()


def speak_digits(
    digits: str,
    picker: TakePicker,
    floor_rms: float,
    rng: random.Random,
    nrng: np.random.Generator,
    grouped: bool,
) -> tuple[Audio, bool]:
    """Concatenate one take per digit with pauses; fit the result into MAX_CLIP_S (the
    flag tells whether the pauses had to be shortened for that)."""
    parts = [picker.pick(int(d)).audio for d in digits]
    gaps: list[float] = []
    long_gap = 0.15 if grouped else 0.3  # long strings are read faster
    for i in range(1, len(digits)):
        if grouped and i % 4 == 0 and rng.random() < 0.5:
            gaps.append(rng.uniform(0.45, 0.8))  # a breath between groups of four
        elif rng.random() < long_gap:
            gaps.append(rng.uniform(0.25, 0.45))
        else:
            gaps.append(rng.uniform(0.08, 0.25))
    lead, tail = rng.uniform(0.15, 0.35), rng.uniform(0.25, 0.45)
    speech = sum(len(p) for p in parts) / FSDD_RATE
    budget = MAX_CLIP_S - 0.01 - speech
    squeezed = lead + tail + sum(gaps) > budget
    if squeezed:  # slow speaker: shorten the pauses, keep them >= 80 ms
        lead, tail = 0.15, 0.15
        spare = sum(g - 0.08 for g in gaps)
        scale = max(0.0, (budget - lead - tail - 0.08 * len(gaps)) / spare) if spare else 0.0
        gaps = [0.08 + (g - 0.08) * min(1.0, scale) for g in gaps]
    drift = [10 ** (rng.uniform(-1.5, 1.5) / 20) for _ in parts]  # level drift between digits
    levelled = [(p * np.float32(g)).astype(np.float32) for p, g in zip(parts, drift, strict=True)]
    return overlay(levelled, gaps, lead, tail, FSDD_RATE, floor_rms, nrng), squeezed


def build_fsdd(tree: GitTree, out: Output, seed: int, pins: int, accounts: int) -> None:
    rng, nrng = rngs(seed, "fsdd")
    takes, floors = load_fsdd(tree)
    speakers = sorted(takes)
    pickers = {s: TakePicker(takes[s], random.Random(f"{seed}:fsdd:{s}")) for s in speakers}
    source = f"FSDD ({MIRRORS['fsdd'].repo})"
    for menu, strings, grouped in (
        ("pin", pin_strings(rng, pins), False),
        ("account_number", account_strings(rng, accounts), True),
    ):
        per_speaker: Counter[str] = Counter()
        squeezed = 0
        for i, digits in enumerate(strings):
            speaker = speakers[i % len(speakers)]
            per_speaker[speaker] += 1
            audio, shortened = speak_digits(
                digits, pickers[speaker], floors[speaker], rng, nrng, grouped
            )
            squeezed += shortened
            rel = f"clips/fsdd_{menu}/{speaker}_{per_speaker[speaker]:02d}.wav"
            text = " ".join(DIGIT_WORDS[int(d)] for d in digits)
            out.add(
                rel,
                audio,
                FSDD_RATE,
                Row(rel, f"digits:{digits}", menu, f"fsdd:{speaker}", source, text),
            )
        if squeezed:
            out.notes.append(
                f"fsdd {menu}: pauses shortened to fit {MAX_CLIP_S:g} s in {squeezed} clips"
            )


# --------------------------------------------------------------------------- other sources


def build_picovoice(tree: GitTree, out: Output, seed: int) -> None:
    """Crowd-sourced coffee orders: real out-of-scope speech at the main menu."""
    rng, _ = rngs(seed, "picovoice")
    labels = json.loads(tree.read("data/label/label.json"))
    slot_order = ["size", "numberOfShots", "roast", "coffeeDrink", "milkAmount", "sugarAmount"]
    candidates = []
    for path in tree.files("data/speech/clean/"):
        label = labels.get(Path(path).name)
        if not path.endswith(".wav") or label is None:
            continue
        slots = label.get("slots", {})
        text = ", ".join(" ".join(str(slots[k]).split()) for k in slot_order if k in slots)
        if not in_vocabulary(text):
            candidates.append((path, f"<coffee order ({label.get('intent', '?')}): {text}>"))
    rng.shuffle(candidates)
    chosen: list[tuple[str, str, Audio]] = []
    for start in range(0, len(candidates), 40):
        batch = candidates[start : start + 40]
        blobs = tree.read_many([p for p, _ in batch])
        for path, text in batch:
            x, rate = decode_wav(blobs[path])
            t = trim(resample(x, rate, OTHER_RATE), OTHER_RATE, margin_ms=150.0).audio
            if len(t) / OTHER_RATE <= MAX_CLIP_S - 0.01:
                chosen.append((path, text, limit_peak(t)))
            if len(chosen) == PER_SOURCE_CAP:
                break
        if len(chosen) == PER_SOURCE_CAP:
            break
    source = f"Picovoice speech-to-intent benchmark ({MIRRORS['picovoice'].repo})"
    for path, text, audio in chosen:
        rel = f"clips/picovoice/{Path(path).stem}.wav"
        out.add(
            rel, audio, OTHER_RATE, Row(rel, "no_match", "main", "picovoice:unknown", source, text)
        )


ETIQUETTE = {"none": "uncovered", "hand": "hand over mouth", "elbow": "into elbow"}


def build_cough(tree: GitTree, out: Output, seed: int, cap: int = 40) -> None:
    """Single coughs of one participant, 1-3 per clip with short gaps."""
    rng, nrng = rngs(seed, "cough")
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for folder in ETIQUETTE:
        for path in tree.files(f"ISSC2021_audio/{folder}_short/"):
            if path.endswith(".wav"):
                participant = "-".join(Path(path).stem.split("-")[:2])  # e.g. 5-f
                groups[(participant, folder)].append(path)
    plans: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for (participant, folder), paths in sorted(groups.items()):
        paths = sorted(paths)
        rng.shuffle(paths)
        while paths:
            n = min(len(paths), rng.choice([1, 2, 2, 3]))
            plans[participant].append((folder, paths[:n]))
            paths = paths[n:]
    for clips in plans.values():
        rng.shuffle(clips)
    chosen: list[tuple[str, str, list[str]]] = []
    participants = sorted(plans)
    while len(chosen) < cap and any(plans[p] for p in participants):
        for participant in participants:  # round-robin: every participant is represented
            if plans[participant] and len(chosen) < cap:
                folder, paths = plans[participant].pop()
                chosen.append((participant, folder, paths))
    blobs = tree.read_many([p for _, _, paths in chosen for p in paths])
    source = f"Cough-Etiquette ISSC2021 ({MIRRORS['cough'].repo})"
    counts: Counter[str] = Counter()
    for participant, folder, paths in chosen:
        coughs = [decode_at(blobs[p], OTHER_RATE) for p in paths]
        floor = float(np.median([trim(c, OTHER_RATE).floor_rms for c in coughs]))
        bed = float(np.clip(floor, 10 ** (-75 / 20), 10 ** (-50 / 20)))
        gaps = [rng.uniform(0.15, 0.6) for _ in coughs[1:]]
        lead, tail = rng.uniform(0.2, 0.35), rng.uniform(0.25, 0.4)
        faded = [fade(c, OTHER_RATE) for c in coughs]
        audio = limit_peak(overlay(faded, gaps, lead, tail, OTHER_RATE, bed, nrng), 0.9)
        counts[participant] += 1
        rel = f"clips/cough/{participant}_{counts[participant]:02d}.wav"
        what = "cough" if len(paths) == 1 else f"{len(paths)} coughs"
        text = f"<{what}, {ETIQUETTE[folder]}>"
        out.add(
            rel,
            audio,
            OTHER_RATE,
            Row(rel, "no_match", "main", f"cough-etiquette:{participant}", source, text),
        )


ARCTIC_PROMPTS = {
    "a0001": "Author of the danger trail, Philip Steels, etc.",
    "a0002": "Not at this particular case, Tom, apologized Whittemore.",
    "a0003": "For the twentieth time that evening the two men shook hands.",
    "a0004": "Lord, but I'm glad to see you again, Phil.",
    "a0005": "Will we ever forget it.",
    "a0006": "God bless 'em, I hope I'll go on seeing them forever.",
}


def build_arctic(tree: GitTree, out: Output) -> None:
    source = f"CMU ARCTIC via pyroomacoustics ({MIRRORS['arctic'].repo})"
    paths = [
        p
        for p in tree.files("examples/input_samples/")
        if re.search(r"cmu_arctic_us_\w+_a\d{4}\.wav$", p)
    ]
    blobs = tree.read_many(paths)
    for path in paths:
        _, _, _, speaker, prompt = Path(path).stem.split("_")
        text = ARCTIC_PROMPTS.get(prompt)
        if text is None or in_vocabulary(text):
            continue
        x, rate = decode_wav(blobs[path])
        audio = limit_peak(trim(resample(x, rate, OTHER_RATE), OTHER_RATE, margin_ms=150.0).audio)
        rel = f"clips/arctic/{speaker}_{prompt}.wav"
        out.add(
            rel,
            audio,
            OTHER_RATE,
            Row(rel, "no_match", "main", f"cmu-arctic:{speaker}", source, text),
        )


def build_pocketsphinx(tree: GitTree, out: Output) -> None:
    source = f"PocketSphinx test data ({MIRRORS['pocketsphinx'].repo})"
    wavs = [p for p in tree.files("test/data/librivox/") if p.endswith(".wav")]
    texts = [p[: -len(".wav")] + ".txt" for p in wavs]
    blobs = tree.read_many([*wavs, *texts, "test/data/goforward.raw"])
    items: list[tuple[str, str, str, Audio]] = []
    for wav, txt in zip(wavs, texts, strict=True):
        x, rate = decode_wav(blobs[wav])
        stem = Path(wav).stem.rsplit("-", 1)[-1]
        text = " ".join(blobs[txt].decode().split())
        items.append(
            (
                f"librivox_{stem}",
                "librivox:sense-and-sensibility-reader",
                text,
                resample(x, rate, OTHER_RATE),
            )
        )
    raw = np.frombuffer(blobs["test/data/goforward.raw"], dtype="<i2").astype(np.float32) / 32768.0
    items.append(("goforward", "cmusphinx:goforward-speaker", "go forward ten meters", raw))
    for name, speaker, text, x in items:
        if in_vocabulary(text):
            continue
        audio = limit_peak(trim(x, OTHER_RATE, margin_ms=150.0).audio)
        if len(audio) / OTHER_RATE > MAX_CLIP_S - 0.01:
            continue
        rel = f"clips/pocketsphinx/{name}.wav"
        out.add(rel, audio, OTHER_RATE, Row(rel, "no_match", "main", speaker, source, text))


# --------------------------------------------------------------------------- main

SOURCES = ("fsdd", "picovoice", "cough", "arctic", "pocketsphinx")


def write_manifest(out: Output) -> Path:
    path = out.root / "manifest.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "expected", "menu", "speaker", "source", "text"])
        for r in out.rows:
            writer.writerow([r.file, r.expected, r.menu, r.speaker, r.source, r.text])
    return path


def summary(rows: Sequence[Row]) -> str:
    lines = ["menu            expected        count"]
    by_kind = Counter(
        (r.menu, "digits" if r.expected.startswith("digits:") else r.expected) for r in rows
    )
    for (menu, expected), n in sorted(by_kind.items()):
        lines.append(f"{menu:<15} {expected:<15} {n:>5}")
    speakers: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        speakers[r.source].add(r.speaker)
    lines.append("")
    for src, spk in sorted(speakers.items()):
        n = sum(1 for r in rows if r.source == src)
        lines.append(f"{n:>4} clips, {len(spk):>2} speaker ids: {src}")
    digits = Counter(c for r in rows if r.expected.startswith("digits:") for c in r.expected[7:])
    if digits:
        lines.append("digit counts: " + " ".join(f"{d}:{digits[d]}" for d in "0123456789"))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, required=True, help="output folder (clips/ and manifest.csv)"
    )
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"),
                        help="folder with <owner>+<name>/repo bare git mirrors")  # fmt: skip
    parser.add_argument(
        "--fsdd", type=Path, help="bare git dir of the FSDD mirror (default: under --mirrors)"
    )
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument(
        "--pins", type=int, default=66, help="4-digit PIN clips (spread over the 6 speakers)"
    )
    parser.add_argument("--accounts", type=int, default=36, help="12-digit account number clips")
    parser.add_argument(
        "--skip", action="append", choices=SOURCES, default=[], help="leave a source out"
    )
    args = parser.parse_args(argv)

    root: Path = args.out
    clips = root / "clips"
    if clips.exists():
        shutil.rmtree(clips)  # only what a previous run wrote: keeps reruns reproducible
    out = Output(root)
    builders: dict[str, Callable[[GitTree], None]] = {
        "fsdd": lambda t: build_fsdd(t, out, args.seed, args.pins, args.accounts),
        "picovoice": lambda t: build_picovoice(t, out, args.seed),
        "cough": lambda t: build_cough(t, out, args.seed),
        "arctic": lambda t: build_arctic(t, out),
        "pocketsphinx": lambda t: build_pocketsphinx(t, out),
    }
    for key in SOURCES:
        if key in args.skip:
            continue
        tree = locate(args.mirrors, key, args.fsdd if key == "fsdd" else None)
        if tree is not None:
            builders[key](tree)
    if not out.rows:
        print("nothing built", file=sys.stderr)
        return 1
    manifest = write_manifest(out)
    print(summary(out.rows))
    for note in out.notes:
        print(f"note: {note}")
    print(f"\nwrote {len(out.rows)} clips and {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
