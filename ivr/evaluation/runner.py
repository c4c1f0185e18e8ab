"""Hearing labelled recordings exactly as a call would: the same engines, the same
combination of passes, the same dialog policy."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ivr.asr.base import SpeechEngine, Transcript
from ivr.dialog.masking import mask_spoken_digits
from ivr.dialog.policy import DialogPolicy, SpeechAction, speech_action
from ivr.evaluation.manifest import DIGITS_PREFIX, Sample, read_audio
from ivr.evaluation.scoring import Trial
from ivr.grammar.compiler import CompiledMenu, Match
from ivr.grammar.model import DIGITS_INTENT, DIGITS_SLOT
from ivr.recognition.decide import Decision, DecisionPolicy, after_rehearing, decide
from ivr.recognition.evidence import Evidence, gather
from ivr.recognition.freepass import FreePass

CHUNK_BYTES = 1600
"""100 ms of 8 kHz PCM: what the call session feeds the grammar pass at a time."""


def grammar_pass(engine: SpeechEngine, menu: CompiledMenu, pcm: bytes) -> Transcript:
    """Decode one utterance with ``menu``'s grammar, fed as a call feeds it."""
    session = engine.open(menu.recognizer)
    for offset in range(0, len(pcm), CHUNK_BYTES):
        session.accept(pcm[offset : offset + CHUNK_BYTES])
    return session.finish()


def _decided(match: Match) -> str:
    """The intent a match stands for, or ``digits:<the digits>``."""
    if match.intent == DIGITS_INTENT:
        return f"{DIGITS_PREFIX}{match.slots.get(DIGITS_SLOT, '')}"
    return match.intent


def judge(
    sample: Sample,
    menu: CompiledMenu,
    evidence: Evidence,
    decision: Decision,
    policy: DialogPolicy,
    cpu_s: float = 0.0,
) -> Trial:
    """What the dialog would do with ``decision`` in ``menu``, as a trial of ``sample``."""
    match = menu.understand(decision.meaning) if decision.meaning else None
    decided = _decided(match) if match is not None else None
    action: SpeechAction = "reject"
    if match is not None:
        action = speech_action(policy, menu.menu.id, match.intent, decision.confidence)
    heard = decision.text
    if menu.menu.digits is not None:
        heard = mask_spoken_digits(heard)  # reports never show what may be a real PIN
    return Trial(sample, heard, decided, action, decision.reason, cpu_s)


@dataclass
class Listener:
    """The recognition a call gets, runnable on recordings."""

    engine: SpeechEngine
    free: FreePass | None = None
    decision: DecisionPolicy = field(default_factory=DecisionPolicy)
    dialog: DialogPolicy = field(default_factory=DialogPolicy)

    def hear(self, menu: CompiledMenu, pcm: bytes) -> tuple[Evidence, Decision, float]:
        """Both passes over one utterance, the decision, and the CPU seconds it took."""
        started = time.process_time()
        grammar = grammar_pass(self.engine, menu, pcm)
        free = self.free.hear(menu, pcm) if self.free is not None else None
        evidence = gather(menu, grammar, free)
        decision = decide(evidence, self.decision)
        if self.free is not None and not decision.meaning and self.free.rehears(menu):
            # As a call does: a second, faster hearing before the caller is asked again.
            again = gather(menu, grammar, self.free.rehear(menu, pcm))
            second = after_rehearing(decision, decide(again, self.decision))
            if second is not decision:
                evidence, decision = again, second
        return evidence, decision, time.process_time() - started

    def trials(
        self,
        samples: Iterable[Sample],
        menus: Mapping[str, CompiledMenu],
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[Trial]:
        """Hear and judge every sample (its menu must be in ``menus``)."""
        for index, sample in enumerate(samples, start=1):
            menu = menus[sample.menu]
            evidence, decision, cpu = self.hear(menu, read_audio(sample.file))
            yield judge(sample, menu, evidence, decision, self.dialog, cpu)
            if progress is not None:
                progress(index)
