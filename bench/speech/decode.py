"""Decode every clip of a manifest once with each pass, and keep what the recognizers said.

Deciding (which intent, act or confirm or reject) is cheap and is what gets tuned; decoding is
what costs. So every clip is decoded once per pass configuration and the raw results are kept
in a JSON-lines cache beside the manifest, keyed by the clip's content and the configuration;
techniques are then compared on identical recognizer output, and CPU per utterance is measured
per pass.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
import wave
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ivr.asr.base import Transcript, WordResult
from ivr.asr.whisper_engine import DEFAULT_CONTEXT_S, DigitReading, FreeTranscript, TokenResult

DIGIT_SEARCH_VERSION = 2
"""Bumped when the free pass of digits menus changes what it returns."""
CHUNK_BYTES = 1600
"""100 ms of 8 kHz PCM, the call session's feeding size."""


@dataclass(frozen=True)
class Row:
    """One manifest row."""

    file: Path
    expected: str
    menu: str
    voice: str = ""
    variant: str = ""
    text: str = ""


def read_manifest(path: Path) -> list[Row]:
    """Rows of a ``file,expected[,menu,…]`` CSV; files relative to the manifest."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = []
        for raw in csv.DictReader(handle):
            rows.append(
                Row(
                    file=(path.parent / raw["file"]).resolve(),
                    expected=raw["expected"],
                    menu=raw.get("menu") or "main",
                    voice=raw.get("voice") or raw.get("speaker") or "",
                    variant=raw.get("variant") or "clean",
                    text=raw.get("text") or "",
                )
            )
        return rows


def read_pcm8k(path: Path) -> bytes:
    """16-bit mono PCM at 8 kHz (telephone audio) from a WAV file, resampled if need be."""
    from ivr.audio.codec import resample

    with wave.open(str(path)) as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: need 16-bit mono WAV")
        pcm = w.readframes(w.getnframes())
        rate = w.getframerate()
    return pcm if rate == 8000 else resample(pcm, rate, 8000)


_STATE: dict[str, Any] = {}


def _init(grammar_dir: str, whisper: bool, context_s: float) -> None:
    from ivr.asr.pocketsphinx_engine import PocketSphinxEngine
    from ivr.grammar import compile_grammar_set, load_grammar_dir

    _STATE["engine"] = PocketSphinxEngine()
    _STATE["compiled"] = compile_grammar_set(load_grammar_dir(grammar_dir))
    if whisper:
        from ivr.asr.whisper_engine import WhisperEngine

        _STATE["whisper"] = WhisperEngine(threads=1, workers=1, context_s=context_s)


def _decode(job: tuple[str, str, str]) -> dict[str, Any]:
    from ivr.recognition.freepass import FreePass

    file, menu_id, key = job
    pcm = read_pcm8k(Path(file))
    compiled = _STATE["compiled"][menu_id]
    started = time.process_time()
    session = _STATE["engine"].open(compiled.recognizer)
    for offset in range(0, len(pcm), CHUNK_BYTES):
        session.accept(pcm[offset : offset + CHUNK_BYTES])
    grammar = session.finish()
    grammar_cpu = time.process_time() - started
    result: dict[str, Any] = {
        "key": key,
        "grammar": asdict(grammar),
        "grammar_cpu": grammar_cpu,
        "audio_s": len(pcm) / 16000,
    }
    whisper = _STATE.get("whisper")
    if whisper is not None:
        started = time.process_time()
        free = FreePass(whisper).hear(compiled, pcm)
        result["free"] = asdict(free)
        result["free_cpu"] = time.process_time() - started
    return result


def _key(row: Row, config: str) -> str:
    digest = hashlib.sha256(row.file.read_bytes()).hexdigest()[:20]
    return f"{digest}|{row.menu}|{config}"


def _configs(grammar_dir: Path, whisper: bool, context_s: float) -> dict[str, str]:
    """Per menu, what decoding depends on: the recognizer grammar and the free pass's hint
    (editing keywords or prompts must not force a re-decode)."""
    from ivr.grammar import compile_grammar_set, load_grammar_dir
    from ivr.recognition.freepass import options_for

    configs = {}
    for menu_id, menu in compile_grammar_set(load_grammar_dir(grammar_dir)).items():
        options = repr(options_for(menu)).encode()
        hint = hashlib.sha256(options).hexdigest()[:8] if whisper else "-"
        configs[menu_id] = f"r{menu.recognizer.key[:12]}|h{hint}|w{int(whisper)}|c{context_s:g}"
        if whisper and menu.menu.digits is not None:
            # Digits menus are also read by the constrained digit search (a later addition).
            configs[menu_id] += f"|d{DIGIT_SEARCH_VERSION}"
    return configs


def decode_all(
    rows: list[Row],
    cache: Path,
    *,
    grammar_dir: Path,
    whisper: bool = True,
    context_s: float = DEFAULT_CONTEXT_S,
    workers: int = 2,
) -> dict[str, dict[str, Any]]:
    """Raw recognizer results for every row (from ``cache`` where present), by row key."""
    configs = _configs(grammar_dir, whisper, context_s)
    known: dict[str, dict[str, Any]] = {}
    if cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            known[entry["key"]] = entry
    keys = {id(row): _key(row, configs[row.menu]) for row in rows}
    todo = [(str(r.file), r.menu, keys[id(r)]) for r in rows if keys[id(r)] not in known]
    if todo:
        print(f"decoding {len(todo)} clips ({workers} workers)", file=sys.stderr)
        cache.parent.mkdir(parents=True, exist_ok=True)
        with (
            cache.open("a", encoding="utf-8") as out,
            ProcessPoolExecutor(
                workers, initializer=_init, initargs=(str(grammar_dir), whisper, context_s)
            ) as pool,
        ):
            for done, entry in enumerate(pool.map(_decode, todo, chunksize=8), start=1):
                known[entry["key"]] = entry
                out.write(json.dumps(entry) + "\n")
                if done % 200 == 0:
                    out.flush()
                    print(f"  {done}/{len(todo)}", file=sys.stderr)
    return {keys[id(r)]: known[keys[id(r)]] for r in rows}


def _rehear(job: tuple[str, str, str, float]) -> dict[str, Any]:
    from ivr.recognition.freepass import FreePass

    file, menu_id, key, speed = job
    pcm = read_pcm8k(Path(file))
    started = time.process_time()
    free = FreePass(_STATE["whisper"], rehear_speed=speed).rehear(_STATE["compiled"][menu_id], pcm)
    return {"key": key, "free": asdict(free), "free_cpu": time.process_time() - started}


def rehear_all(
    rows: list[Row],
    keys: dict[int, str],
    cache: Path,
    *,
    grammar_dir: Path,
    speed: float,
    context_s: float = DEFAULT_CONTEXT_S,
    workers: int = 2,
) -> dict[str, dict[str, Any]]:
    """Whisper's second, faster hearing of ``rows`` (those nobody understood), by row key."""
    known: dict[str, dict[str, Any]] = {}
    if cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            known[entry["key"]] = entry
    wanted = {id(r): f"{keys[id(r)]}|s{speed:g}" for r in rows}
    todo = [(str(r.file), r.menu, wanted[id(r)], speed) for r in rows if wanted[id(r)] not in known]
    if todo:
        print(f"re-hearing {len(todo)} clips at {speed:g}x ({workers} workers)", file=sys.stderr)
        with (
            cache.open("a", encoding="utf-8") as out,
            ProcessPoolExecutor(
                workers, initializer=_init, initargs=(str(grammar_dir), True, context_s)
            ) as pool,
        ):
            for entry in pool.map(_rehear, todo, chunksize=8):
                known[entry["key"]] = entry
                out.write(json.dumps(entry) + "\n")
    return {keys[id(r)]: known[wanted[id(r)]] for r in rows}


def row_keys(
    rows: list[Row], grammar_dir: Path, whisper: bool = True, context_s: float = DEFAULT_CONTEXT_S
) -> dict[int, str]:
    """The cache key of every row (by ``id``), as :func:`decode_all` uses them."""
    configs = _configs(grammar_dir, whisper, context_s)
    return {id(row): _key(row, configs[row.menu]) for row in rows}


def grammar_transcript(entry: dict[str, Any]) -> Transcript:
    g = entry["grammar"]
    words = tuple(WordResult(**w) for w in g.get("words", ()))
    return Transcript(g["text"], g["confidence"], words, g.get("engine", ""))


def free_transcript(entry: dict[str, Any]) -> FreeTranscript | None:
    f = entry.get("free")
    if f is None:
        return None
    tokens = tuple(TokenResult(**t) for t in f.get("tokens", ()))
    readings = tuple(DigitReading(**r) for r in f.get("digit_readings", ()))
    return FreeTranscript(f["text"], f["avg_logprob"], f["no_speech_prob"], tokens, readings)


def cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)))
