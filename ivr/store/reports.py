"""Reports for ops over the call record: what callers said that the menus did not understand.

``nomatch_report`` reads the ``turns`` table: per menu, how many turns ended in a no-match
or a no-input, and the most frequent transcripts of the no-match turns (what to add to the
grammar next). PocketSphinx often returns no words at all for speech outside the grammar,
so an empty transcript is counted as "(nothing recognized)"; keys pressed that mean nothing
are listed as "(pressed …)". Transcripts of digit menus were masked when recorded and stay so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, func, select
from sqlalchemy.exc import SQLAlchemyError

from ivr.store.errors import StoreError
from ivr.store.models import Recording, Turn

NOTHING_RECOGNIZED = "(nothing recognized)"
NO_MATCH = "no_match"
NO_INPUT = "no_input"
DEFAULT_TOP = 10


@dataclass(frozen=True)
class Utterance:
    """One unrecognized thing callers said (or keyed) and how often."""

    text: str
    count: int
    recordings: tuple[str, ...] = ()
    """Ids of kept recordings of it (``GET /api/recordings/{id}``), when recording is on."""


@dataclass(frozen=True)
class MenuNoMatch:
    """No-match and no-input figures of one menu."""

    menu: str
    turns: int
    no_match: int
    no_input: int
    unrecognized: tuple[Utterance, ...]
    """The most frequent no-match transcripts, most frequent first."""

    @property
    def no_match_rate(self) -> float:
        """Share of this menu's turns that were not understood (0..1)."""
        return self.no_match / self.turns if self.turns else 0.0

    @property
    def no_input_rate(self) -> float:
        """Share of this menu's turns where the caller said nothing (0..1)."""
        return self.no_input / self.turns if self.turns else 0.0


@dataclass(frozen=True)
class NoMatchReport:
    """Every menu with turns since ``since`` (None: all time), worst no-match count first."""

    since: datetime | None
    menus: tuple[MenuNoMatch, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (rates rounded to 4 places)."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "menus": [
                {
                    "menu": m.menu,
                    "turns": m.turns,
                    "no_match": m.no_match,
                    "no_input": m.no_input,
                    "no_match_rate": round(m.no_match_rate, 4),
                    "no_input_rate": round(m.no_input_rate, 4),
                    "unrecognized": [
                        {"text": u.text, "count": u.count, "recordings": list(u.recordings)}
                        for u in m.unrecognized
                    ],
                }
                for m in self.menus
            ],
        }


def utterance_label(input_kind: str, transcript: str) -> str:
    """How a no-match turn's transcript reads in the report."""
    if input_kind == "keys":
        return f"(pressed {transcript})" if transcript else "(pressed keys)"
    return transcript or NOTHING_RECOGNIZED


def nomatch_report(
    engine: Engine,
    since: datetime | None = None,
    top: int = DEFAULT_TOP,
    *,
    now: datetime | None = None,
) -> NoMatchReport:
    """The no-match report over the turns recorded since ``since`` (aware UTC datetime);
    recordings expired by ``now`` (default: the current time) are not listed.

    Raises :class:`StoreError` when the database cannot be read.
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")
    counts = (
        select(Turn.menu, Turn.outcome, Turn.input, Turn.transcript, func.count())
        .where(Turn.menu != "")  # turns between menus (nothing was being asked) are no answers
        .group_by(Turn.menu, Turn.outcome, Turn.input, Turn.transcript)
    )
    if since is not None:
        counts = counts.where(Turn.created_at >= since)
    try:
        with engine.connect() as connection:
            rows = connection.execute(counts).all()
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise StoreError(f"nomatch_report failed: {type(detail).__name__}: {detail}") from exc
    live_at = now or datetime.now(UTC)
    return NoMatchReport(since, _summarize(rows, top, _recordings(engine, since, live_at)))


RECORDINGS_PER_PHRASE = 3


def _recordings(
    engine: Engine, since: datetime | None, now: datetime
) -> dict[tuple[str, str], list[str]]:
    """Live recordings of no-match turns, by (menu, report label), newest first."""
    recorded = (Recording.call_sid == Turn.call_sid) & (Recording.turn_seq == Turn.seq)
    query = (
        select(Turn.menu, Turn.input, Turn.transcript, Recording.id)
        .join(Recording, recorded)
        .where(Turn.outcome == NO_MATCH, Recording.expires_at > now)
        .order_by(Turn.created_at.desc())
    )
    if since is not None:
        query = query.where(Turn.created_at >= since)
    try:
        with engine.connect() as connection:
            return _by_phrase(connection.execute(query))
    except SQLAlchemyError:
        return {}  # a database from before recordings existed: the report goes on without


def _by_phrase(rows: Iterable[Any]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for menu, input_kind, transcript, recording in rows:
        ids = found.setdefault((menu, utterance_label(input_kind, transcript)), [])
        if len(ids) < RECORDINGS_PER_PHRASE:
            ids.append(recording)
    return found


def _summarize(
    rows: Sequence[Row[str, str, str, str, int]],
    top: int,
    recordings: dict[tuple[str, str], list[str]],
) -> tuple[MenuNoMatch, ...]:
    turns: dict[str, int] = {}
    no_input: dict[str, int] = {}
    heard: dict[str, dict[str, int]] = {}
    for menu, outcome, input_kind, transcript, count in rows:
        turns[menu] = turns.get(menu, 0) + count
        if outcome == NO_INPUT:
            no_input[menu] = no_input.get(menu, 0) + count
        elif outcome == NO_MATCH:
            label = utterance_label(input_kind, transcript)
            per_menu = heard.setdefault(menu, {})
            per_menu[label] = per_menu.get(label, 0) + count
    menus = []
    for menu, total in turns.items():
        said = heard.get(menu, {})
        ranked = sorted(said.items(), key=lambda item: (-item[1], item[0]))[:top]
        menus.append(
            MenuNoMatch(
                menu,
                total,
                sum(said.values()),
                no_input.get(menu, 0),
                tuple(
                    Utterance(text, count, tuple(recordings.get((menu, text), ())))
                    for text, count in ranked
                ),
            )
        )
    return tuple(sorted(menus, key=lambda m: (-m.no_match, -m.turns, m.menu)))
