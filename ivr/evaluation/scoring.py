"""From one recording's verdict to the rates that matter to callers.

Each trial ends in one of five outcomes under the dialog's own policy
(:func:`ivr.dialog.policy.speech_action`):

* ``right_acted`` / ``right_confirmed`` — the intended intent (or digits), acted on at once or
  after "did you say …?";
* ``wrong_acted`` — **something the caller did not ask for was done** (for a PIN: a wrong PIN
  was tried, which counts towards the lockout);
* ``wrong_confirmed`` — a wrong guess, but the caller was asked first;
* ``rejected`` — not understood: the caller is asked again (or, for digits, asked to key).

Out-of-scope recordings (``no_match``) can only be ``wrong_*`` or ``rejected``; "not acted on"
is ``wrong_confirmed`` + ``rejected``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ivr.dialog.policy import SpeechAction
from ivr.evaluation.manifest import DIGITS_PREFIX, Sample

OUTCOMES = ("right_acted", "right_confirmed", "wrong_acted", "wrong_confirmed", "rejected")
REJECTED = "(rejected)"


@dataclass(frozen=True)
class Trial:
    """One recording heard, decided and judged."""

    sample: Sample
    heard: str
    """What the recognizers heard (digits masked by callers of :func:`summarize` if needed)."""
    decided: str | None
    """The intent (or ``digits:NNNN``) the dialog would act on or confirm; None: rejected."""
    action: SpeechAction
    reason: str = ""
    cpu_s: float = 0.0

    @property
    def outcome(self) -> str:
        if self.decided is None or self.action == "reject":
            return "rejected"
        right = "right" if self.decided == self.sample.expected else "wrong"
        return f"{right}_{'acted' if self.action == 'act' else 'confirmed'}"


def label(expected_or_decided: str | None) -> str:
    """Digit strings collapse to ``digits`` for per-intent tables and confusion matrices."""
    if expected_or_decided is None:
        return REJECTED
    return "digits" if expected_or_decided.startswith(DIGITS_PREFIX) else expected_or_decided


@dataclass
class Tally:
    """Outcome counts of one group of trials."""

    counts: Counter[str] = field(default_factory=Counter)
    cpu_s: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rate(self, *outcomes: str) -> float:
        return sum(self.counts[o] for o in outcomes) / self.total if self.total else 0.0

    def add(self, trial: Trial) -> None:
        self.counts[trial.outcome] += 1
        self.cpu_s += trial.cpu_s


@dataclass
class Summary:
    """Every figure of an evaluation run."""

    by_kind: dict[str, Tally]
    """``in`` / ``oos`` / ``digits`` (and ``pin`` / ``account_number`` for digit menus)."""
    by_group: dict[tuple[str, str, str], Tally]
    """(kind, column, value): the same per voice and per line variant."""
    by_intent: dict[str, Tally]
    confusion: dict[str, Counter[str]]
    """Expected label → decided label (``(rejected)`` when nothing was decided)."""
    trials: int


def _shown(trial: Trial) -> str:
    """What the confusion matrix files ``trial`` under: what was acted on or confirmed."""
    decided = trial.decided if trial.action != "reject" else None
    shown = label(decided)
    if shown == "digits" and decided != trial.sample.expected:
        return "digits (wrong)"
    return shown


def summarize(trials: Sequence[Trial]) -> Summary:
    """Tally ``trials`` overall, per kind, per voice and variant, per intent, and confused."""
    by_kind: dict[str, Tally] = defaultdict(Tally)
    by_group: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
    by_intent: dict[str, Tally] = defaultdict(Tally)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for trial in trials:
        sample = trial.sample
        by_kind[sample.kind].add(trial)
        if sample.kind == "digits":
            by_kind[sample.menu].add(trial)
        if sample.voice:
            by_group[(sample.kind, "voice", sample.voice)].add(trial)
        if sample.variant:
            by_group[(sample.kind, "variant", sample.variant)].add(trial)
        by_intent[label(sample.expected)].add(trial)
        confusion[label(sample.expected)][_shown(trial)] += 1
    return Summary(dict(by_kind), dict(by_group), dict(by_intent), dict(confusion), len(trials))


def _pct(value: float) -> str:
    return f"{100 * value:5.1f}%"


def headline(kind: str, tally: Tally) -> str:
    """One line of the figures that matter for ``kind``."""
    n = tally.total
    if kind == "oos":
        return (
            f"out of scope ({n}): not acted on {_pct(tally.rate('wrong_confirmed', 'rejected'))}"
            f"  (rejected {_pct(tally.rate('rejected'))}, confirmed"
            f" {_pct(tally.rate('wrong_confirmed'))}), ACTED ON {_pct(tally.rate('wrong_acted'))}"
        )
    if kind in ("digits", "pin", "account_number"):
        return (
            f"{kind} ({n}): right {_pct(tally.rate('right_acted'))}, to keypad/again"
            f" {_pct(tally.rate('rejected'))}, WRONG ACCEPTED {_pct(tally.rate('wrong_acted'))}"
        )
    return _in_scope_headline(tally)


def _in_scope_headline(tally: Tally) -> str:
    n = tally.total
    return (
        f"in scope ({n}): right {_pct(tally.rate('right_acted', 'right_confirmed'))}"
        f" (acted {_pct(tally.rate('right_acted'))}, after confirming"
        f" {_pct(tally.rate('right_confirmed'))}), WRONG ACTED ON"
        f" {_pct(tally.rate('wrong_acted'))}, wrong confirmed"
        f" {_pct(tally.rate('wrong_confirmed'))}, rejected {_pct(tally.rate('rejected'))}"
    )


def report_lines(summary: Summary, *, groups: Iterable[str] = ("voice", "variant")) -> list[str]:
    """The evaluation as text: headline rates, per group, per intent, confusion matrix."""
    lines = [f"{summary.trials} recordings"]
    for kind in ("in", "oos", "digits", "pin", "account_number"):
        if kind in summary.by_kind:
            lines.append(headline(kind, summary.by_kind[kind]))
    for column in groups:
        rows = sorted((k for k in summary.by_group if k[1] == column), key=lambda k: (k[2], k[0]))
        if rows:
            lines.append(f"by {column}:")
            lines += [
                f"  {value}: {headline(kind, summary.by_group[(kind, c, value)])}"
                for kind, c, value in rows
            ]
    lines.append("per expected intent (right incl. confirmed / wrong acted on / rejected):")
    for intent in sorted(summary.by_intent):
        t = summary.by_intent[intent]
        lines.append(
            f"  {intent:16} {t.total:5}  {_pct(t.rate('right_acted', 'right_confirmed'))}"
            f"  {_pct(t.rate('wrong_acted'))}  {_pct(t.rate('rejected'))}"
        )
    lines.append("confusion (rows: expected, columns: decided):")
    columns = sorted({c for row in summary.confusion.values() for c in row})
    lines.append("  " + " " * 16 + "".join(f"{c[:12]:>13}" for c in columns))
    for expected in sorted(summary.confusion):
        row = summary.confusion[expected]
        lines.append(f"  {expected:16}" + "".join(f"{row[c]:>13}" for c in columns))
    return lines
