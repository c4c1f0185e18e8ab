"""Recordings of what callers said that the hotline did not understand, for tuning (opt-in).

Real IVR grammars are tuned on real calls: with ``IVR_RECORD_UTTERANCES=on`` the audio of
no-match and low-confidence turns is kept — never of a PIN or account-number turn — for
``IVR_RECORDING_RETENTION_DAYS``, then deleted. Ops listen to them from the no-match report
(``ivr report nomatch``, ``GET /api/reports/nomatch``, ``GET /api/recordings/{id}``), write
keywords or sentences for them, and re-measure with ``ivr grammar eval``.

The audio lives in files (``IVR_RECORDING_DIR``, created 0700, files 0600); the database
holds which turn each belongs to and when it expires.
"""

from __future__ import annotations

import os
import secrets
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ivr.store.db import writer
from ivr.store.errors import StoreError
from ivr.store.models import Recording

_ID_BYTES = 12


@dataclass(frozen=True)
class RecordingInfo:
    """A kept recording as the API describes it."""

    id: str
    call_sid: str
    turn_seq: int
    menu: str
    created_at: str
    expires_at: str


class RecordingStore:
    """Keeps, finds and expires utterance recordings (blocking: call from a thread)."""

    def __init__(
        self,
        engine: Engine,
        directory: Path,
        retention_days: int,
        clock: Callable[[], datetime],
    ) -> None:
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        self.engine = engine
        self.directory = directory
        self.retention = timedelta(days=retention_days)
        self._clock = clock

    def _dir(self) -> Path:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.directory

    def path(self, recording_id: str) -> Path:
        """Where a recording's audio is (whether or not it still exists)."""
        if not recording_id.isalnum():
            raise ValueError("malformed recording id")
        return self.directory / f"{recording_id}.wav"

    def keep(self, call_sid: str, turn_seq: int, menu: str, pcm8k: bytes) -> str:
        """Store one utterance (8 kHz 16-bit PCM) of turn ``turn_seq``; its id."""
        recording_id = secrets.token_hex(_ID_BYTES)
        target = self._dir() / f"{recording_id}.wav"
        # Created private from the start: never readable by others, even for a moment.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle, wave.open(handle, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(pcm8k)
        now = self._clock()
        try:
            with Session(writer(self.engine)) as session, session.begin():
                session.add(
                    Recording(
                        id=recording_id,
                        call_sid=call_sid,
                        turn_seq=turn_seq,
                        menu=menu,
                        created_at=now,
                        expires_at=now + self.retention,
                    )
                )
        except SQLAlchemyError as exc:
            target.unlink(missing_ok=True)  # no orphan audio without its record
            raise StoreError(f"keeping a recording failed: {type(exc).__name__}") from exc
        return recording_id

    def get(self, recording_id: str) -> RecordingInfo | None:
        """A live (unexpired) recording whose audio still exists, or None."""
        try:
            with Session(self.engine) as session:
                row = session.get(Recording, recording_id)
        except SQLAlchemyError as exc:
            raise StoreError(f"reading a recording failed: {type(exc).__name__}") from exc
        if row is None or row.expires_at <= self._clock() or not self.path(row.id).exists():
            return None
        return RecordingInfo(
            row.id,
            row.call_sid,
            row.turn_seq,
            row.menu,
            row.created_at.isoformat(),
            row.expires_at.isoformat(),
        )

    def for_turns(self, turns: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """The recording id of each (call_sid, turn_seq) that has a live one."""
        if not turns:
            return {}
        now = self._clock()
        calls = sorted({call for call, _ in turns})
        wanted = set(turns)
        try:
            with Session(self.engine) as session:
                rows = session.execute(
                    select(Recording.call_sid, Recording.turn_seq, Recording.id).where(
                        Recording.call_sid.in_(calls), Recording.expires_at > now
                    )
                ).all()
        except SQLAlchemyError as exc:
            raise StoreError(f"reading recordings failed: {type(exc).__name__}") from exc
        return {(c, s): i for c, s, i in rows if (c, s) in wanted}

    def purge(self) -> int:
        """Delete every expired recording, audio first; how many went."""
        now = self._clock()
        try:
            with Session(writer(self.engine)) as session, session.begin():
                expired = list(
                    session.scalars(select(Recording.id).where(Recording.expires_at <= now))
                )
                for recording_id in expired:
                    self.path(recording_id).unlink(missing_ok=True)
                if expired:
                    session.execute(delete(Recording).where(Recording.id.in_(expired)))
        except SQLAlchemyError as exc:
            raise StoreError(f"purging recordings failed: {type(exc).__name__}") from exc
        return len(expired)
