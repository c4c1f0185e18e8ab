"""``python -m bench speech``: recognition quality per technique on the dev and held-out splits.

Renders the splits (:mod:`bench.speech.corpus`; reused when already rendered), decodes every
clip once per pass (cached), and judges every technique of :mod:`bench.speech.evaluate` on
the same readings. Real human recordings join when their manifest exists (built by
``python -m bench.speech.human``; never committed): FSDD's george and jackson are dev, every
other human recording is held out.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench.server import ROOT
from bench.speech.corpus import build, build_human
from bench.speech.decode import read_manifest
from bench.speech.evaluate import TECHNIQUES, evaluate, figures

WORK = ROOT / "var" / "speech"
HUMAN_SOURCE = WORK / "human-source" / "manifest.csv"
"""Where ``python -m bench.speech.human --out var/speech/human-source`` writes its manifest."""
GRAMMARS = ROOT / "grammars" / "en"


def _voices(summary: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for (kind, column, value), tally in summary.by_group.items():
        if column != "voice":
            continue
        entry = out.setdefault(value, {})
        if kind == "in":
            entry["in_right"] = tally.rate("right_acted", "right_confirmed")
            entry["in_wrong_acted"] = tally.rate("wrong_acted")
            entry["in_n"] = tally.total
        elif kind == "oos":
            entry["oos_not_acted"] = tally.rate("wrong_confirmed", "rejected")
            entry["oos_n"] = tally.total
        elif kind == "digits":
            entry["digits_right"] = tally.rate("right_acted")
            entry["digits_wrong_acted"] = tally.rate("wrong_acted")
            entry["digits_n"] = tally.total
    return out


def _confusion(summary: Any) -> dict[str, dict[str, int]]:
    return {expected: dict(row) for expected, row in summary.confusion.items()}


def evaluate_split(name: str, manifest: Path, workers: int, limit: int | None) -> dict[str, Any]:
    """Every technique's figures on one manifest."""
    rows = read_manifest(manifest)
    if limit is not None:
        rows = rows[:: max(1, len(rows) // limit)][:limit]
    print(f"speech: {name}: {len(rows)} clips", file=sys.stderr)
    summaries = evaluate(rows, manifest.parent / "decoded.jsonl", GRAMMARS, workers=workers)
    return {
        "clips": len(rows),
        "voices": sorted({r.voice for r in rows}),
        "techniques": {
            technique: {
                "figures": figures(summary),
                "voices": _voices(summary),
                "confusion": _confusion(summary) if technique == TECHNIQUES[-1].name else {},
            }
            for technique, summary in summaries.items()
        },
    }


def run_speech(
    *, quick: bool = False, workers: int = 2, human: Path = HUMAN_SOURCE
) -> dict[str, Any]:
    """Render, decode and judge the dev and held-out splits (and the human recordings)."""
    limit = 300 if quick else None
    splits: dict[str, Path] = {}
    for split in ("dev", "test"):
        splits[split] = build(split, WORK)
        human_manifest = build_human(split, human, WORK)
        if human_manifest is not None:
            splits[f"human-{split}"] = human_manifest
    return {
        "splits": {
            name: evaluate_split(name, manifest, workers, limit)
            for name, manifest in splits.items()
        },
        "human_source": str(human) if human.exists() else None,
    }
