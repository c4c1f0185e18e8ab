"""Judging trials and the rates an evaluation reports."""

from __future__ import annotations

from pathlib import Path

from ivr.dialog.policy import SpeechAction
from ivr.evaluation.manifest import Sample
from ivr.evaluation.scoring import Trial, report_lines, summarize


def trial(expected: str, decided: str | None, action: SpeechAction, menu: str = "main") -> Trial:
    return Trial(Sample(Path("x.wav"), expected, menu, "v1", "clean"), "", decided, action)


def test_trial_outcomes_follow_the_dialog_action() -> None:
    assert trial("balance", "balance", "act").outcome == "right_acted"
    assert trial("balance", "balance", "confirm").outcome == "right_confirmed"
    assert trial("balance", "policy", "act").outcome == "wrong_acted"
    assert trial("no_match", "policy", "confirm").outcome == "wrong_confirmed"
    assert trial("no_match", None, "reject").outcome == "rejected"
    assert trial("digits:2468", "digits:2486", "act", "pin").outcome == "wrong_acted"


def test_summary_rates_per_kind_and_confusion() -> None:
    trials = [
        trial("balance", "balance", "act"),
        trial("balance", "balance", "confirm"),
        trial("balance", "policy", "act"),
        trial("balance", None, "reject"),
        trial("no_match", None, "reject"),
        trial("no_match", "agent", "confirm"),
        trial("no_match", "agent", "act"),
        trial("digits:2468", "digits:2468", "act", "pin"),
        trial("digits:2468", "digits:1111", "act", "pin"),
    ]
    summary = summarize(trials)
    inside, outside, pins = summary.by_kind["in"], summary.by_kind["oos"], summary.by_kind["pin"]
    assert inside.rate("right_acted", "right_confirmed") == 0.5
    assert inside.rate("wrong_acted") == 0.25
    assert outside.rate("wrong_confirmed", "rejected") == 2 / 3
    assert pins.rate("wrong_acted") == 0.5
    assert summary.confusion["balance"] == {"balance": 2, "policy": 1, "(rejected)": 1}
    assert summary.confusion["digits"] == {"digits": 1, "digits (wrong)": 1}
    text = "\n".join(report_lines(summary))
    assert "in scope (4): right  50.0%" in text
    assert "WRONG ACTED ON  25.0%" in text
    assert "out of scope (3): not acted on  66.7%" in text
    assert "pin (2): right  50.0%, to keypad/again   0.0%, WRONG ACCEPTED  50.0%" in text
