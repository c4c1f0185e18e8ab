"""Recognition quality per technique, side by side on identical recognizer output.

Every clip of a split is decoded once by both passes (:mod:`bench.speech.decode`, cached);
each technique then decides from the same readings, and every decision is judged by the
product's own :func:`ivr.evaluation.runner.judge` under the shipped dialog policy. CPU per
utterance counts the passes a technique needs.

Techniques:

* ``grammar`` — PocketSphinx with the menu grammar and its word confidence (the hotline
  before this work; ``IVR_SECOND_PASS=off``);
* ``free-form`` — Whisper tiny.en alone, its transcript matched to the menu by sentences and
  key phrases (as a Whisper-only bot would);
* ``grammar + free-form, no digit search`` — both passes combined, Whisper's digits from its
  free transcript only (shipped before the constrained digit search);
* ``grammar + free-form, PINs counted on the digit search`` — as shipped, and a PIN also
  counts when the free transcript and the constrained search wrote the same digits with a
  clear lead (``DecisionPolicy.reading_margin`` 2.0): tuned on the dev split (0 wrong PINs
  there), it counted more wrong PINs on the held-out splits, so it is not shipped;
* ``grammar + free-form, no second hearing`` — both passes combined by
  :mod:`ivr.recognition.decide`, digits also read by the constrained search
  (:meth:`ivr.asr.whisper_engine.WhisperEngine.read_digits`) for account numbers read back
  and digits of another length (shipped before the second hearing). Its CPU includes that
  search; the rows above are charged the same.
* ``grammar + free-form`` — as above, and an utterance neither pass understood (outside
  digits menus) is heard by Whisper once more, played ``REHEAR_SPEED`` times faster
  (shipped). Its CPU includes that second hearing where it ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.speech.decode import (
    Row,
    decode_all,
    free_transcript,
    grammar_transcript,
    rehear_all,
    row_keys,
)
from ivr.asr.base import Transcript
from ivr.asr.whisper_engine import FreeTranscript
from ivr.dialog.policy import DialogPolicy
from ivr.evaluation.manifest import Sample
from ivr.evaluation.runner import judge
from ivr.evaluation.scoring import Summary, Tally, Trial, summarize
from ivr.grammar import compile_grammar_set, load_grammar_dir
from ivr.grammar.compiler import CompiledMenu
from ivr.recognition.decide import Decision, DecisionPolicy, after_rehearing, decide
from ivr.recognition.evidence import gather
from ivr.recognition.freepass import REHEAR_SPEED, rehears

Reader = Callable[[CompiledMenu, Transcript, FreeTranscript | None], Any]


@dataclass(frozen=True)
class Technique:
    """How readings become a decision, and which passes that costs."""

    name: str
    uses_grammar: bool
    uses_free: bool
    digit_search: bool = True
    decision: DecisionPolicy | None = None
    rehear: bool = False

    def evidence(self, menu: CompiledMenu, grammar: Transcript, free: FreeTranscript | None) -> Any:
        g = grammar if self.uses_grammar else Transcript("", 0.0)
        if free is not None and not self.digit_search:
            free = replace(free, digit_readings=())
        return gather(menu, g, free if self.uses_free else None)


TECHNIQUES = (
    Technique("grammar", uses_grammar=True, uses_free=False),
    Technique("free-form", uses_grammar=False, uses_free=True),
    Technique(
        "grammar + free-form, no digit search",
        uses_grammar=True,
        uses_free=True,
        digit_search=False,
    ),
    Technique(
        "grammar + free-form, PINs counted on the digit search",
        uses_grammar=True,
        uses_free=True,
        decision=DecisionPolicy(reading_margin=2.0),
    ),
    Technique("grammar + free-form, no second hearing", uses_grammar=True, uses_free=True),
    Technique("grammar + free-form", uses_grammar=True, uses_free=True, rehear=True),
)


def sample_of(row: Row) -> Sample:
    return Sample(row.file, row.expected, row.menu, row.voice, row.variant, row.text)


def trials_for(
    technique: Technique,
    rows: Sequence[Row],
    decoded: Mapping[int, dict[str, Any]],
    menus: Mapping[str, CompiledMenu],
    *,
    decision: DecisionPolicy | None = None,
    dialog: DialogPolicy | None = None,
    reheard: Mapping[int, dict[str, Any]] | None = None,
) -> list[Trial]:
    """Judge every row under ``technique`` from its cached readings (``reheard``: the
    second hearings of the rows that need one, by ``id``)."""
    dialog = dialog or DialogPolicy()
    out = []
    for row in rows:
        entry = decoded[id(row)]
        menu = menus[row.menu]
        grammar = grammar_transcript(entry)
        evidence = technique.evidence(menu, grammar, free_transcript(entry))
        chosen = decide(evidence, technique.decision or decision)
        cpu = entry["grammar_cpu"] * technique.uses_grammar
        cpu += entry.get("free_cpu", 0.0) * technique.uses_free
        again = (reheard or {}).get(id(row)) if technique.rehear else None
        if again is not None and needs_rehearing(chosen, menu):
            second = technique.evidence(menu, grammar, free_transcript(again))
            better = after_rehearing(chosen, decide(second, technique.decision or decision))
            if better is not chosen:
                evidence, chosen = second, better
            cpu += again["free_cpu"]
        out.append(judge(sample_of(row), menu, evidence, chosen, dialog, cpu))
    return out


def needs_rehearing(chosen: Decision, menu: CompiledMenu) -> bool:
    """As a call: nobody understood it, and the menu gets second hearings."""
    return not chosen.meaning and rehears(menu)


def evaluate(
    rows: Sequence[Row],
    cache: Path,
    grammar_dir: Path,
    *,
    workers: int = 2,
    techniques: Sequence[Technique] = TECHNIQUES,
) -> dict[str, Summary]:
    """Decode (or read from ``cache``) and summarize every technique on ``rows``."""
    by_key = decode_all(list(rows), cache, grammar_dir=grammar_dir, workers=workers)
    keys = row_keys(list(rows), grammar_dir)
    decoded = {id(row): by_key[keys[id(row)]] for row in rows}
    menus = compile_grammar_set(load_grammar_dir(grammar_dir))
    reheard = _second_hearings(rows, keys, decoded, menus, cache, grammar_dir, workers)
    return {
        t.name: summarize(trials_for(t, rows, decoded, menus, reheard=reheard)) for t in techniques
    }


def _second_hearings(
    rows: Sequence[Row],
    keys: dict[int, str],
    decoded: Mapping[int, dict[str, Any]],
    menus: Mapping[str, CompiledMenu],
    cache: Path,
    grammar_dir: Path,
    workers: int,
) -> dict[int, dict[str, Any]]:
    """The faster second hearing of every row the two passes left not understood."""
    need = []
    for row in rows:
        entry, menu = decoded[id(row)], menus[row.menu]
        evidence = gather(menu, grammar_transcript(entry), free_transcript(entry))
        if needs_rehearing(decide(evidence), menu):
            need.append(row)
    by_key = rehear_all(
        list(need),
        keys,
        cache.with_name("reheard.jsonl"),
        grammar_dir=grammar_dir,
        speed=REHEAR_SPEED,
        workers=workers,
    )
    return {id(row): by_key[keys[id(row)]] for row in need}


def figures(summary: Summary) -> dict[str, Any]:
    """The issue's table for one technique: rates as fractions, with their counts."""

    def rate(tally: Tally | None, *outcomes: str) -> dict[str, Any]:
        if tally is None or tally.total == 0:
            return {"rate": None, "n": 0}
        return {"rate": tally.rate(*outcomes), "n": tally.total}

    k = summary.by_kind
    inside, outside = k.get("in"), k.get("oos")
    rows: dict[str, Any] = {
        "in_right": rate(inside, "right_acted", "right_confirmed"),
        "in_right_acted": rate(inside, "right_acted"),
        "in_wrong_acted": rate(inside, "wrong_acted"),
        "in_rejected": rate(inside, "rejected"),
        "oos_not_acted": rate(outside, "wrong_confirmed", "rejected"),
        "oos_confirmed": rate(outside, "wrong_confirmed"),
        "pin_right": rate(k.get("pin"), "right_acted"),
        "pin_wrong_counted": rate(k.get("pin"), "wrong_acted"),
        "account_right": rate(k.get("account_number"), "right_acted", "right_confirmed"),
        "account_wrong_acted": rate(k.get("account_number"), "wrong_acted"),
    }
    trials = max(1, summary.trials)
    cpu = sum(t.cpu_s for t in summary.by_kind.values()) / trials
    rows["cpu_ms_per_utterance"] = round(1000 * cpu, 1)
    variants: dict[str, Any] = {}
    for (kind, column, value), tally in summary.by_group.items():
        if column != "variant":
            continue
        entry = variants.setdefault(value, {})
        if kind == "in":
            entry["in_right"] = rate(tally, "right_acted", "right_confirmed")
            entry["in_wrong_acted"] = rate(tally, "wrong_acted")
        elif kind == "oos":
            entry["oos_not_acted"] = rate(tally, "wrong_confirmed", "rejected")
    rows["variants"] = variants
    return rows
