"""Kept recordings of not-understood turns: private files, linked to their turn, expiring."""

from __future__ import annotations

import stat
import wave
from pathlib import Path

import pytest

from ivr.store import Store
from ivr.store.recordings import RecordingStore
from ivr.store.reports import nomatch_report
from tests.store.store_helpers import FakeClock

AUDIO = b"\x01\x02" * 4000  # half a second of 8 kHz PCM


@pytest.fixture
def recordings(store: Store, clock: FakeClock, tmp_path: Path) -> RecordingStore:
    store.start_call("CA" + "1" * 32, "+14155550100", "+15005550006")
    return RecordingStore(store.engine, tmp_path / "rec", 30, clock)


def test_recording_is_a_private_wav_linked_to_its_turn(recordings: RecordingStore) -> None:
    call = "CA" + "1" * 32
    recording_id = recordings.keep(call, 3, "main", AUDIO)
    path = recordings.path(recording_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.readframes(8000)) == (8000, 1, AUDIO)
    info = recordings.get(recording_id)
    assert info is not None and (info.call_sid, info.turn_seq, info.menu) == (call, 3, "main")
    assert recordings.for_turns([(call, 3), (call, 4)]) == {(call, 3): recording_id}


def test_recording_expires_after_the_retention_and_is_deleted(
    recordings: RecordingStore, clock: FakeClock
) -> None:
    recording_id = recordings.keep("CA" + "1" * 32, 1, "main", AUDIO)
    clock.advance(days=29)
    assert recordings.purge() == 0 and recordings.get(recording_id) is not None
    clock.advance(days=1, seconds=1)
    assert recordings.get(recording_id) is None  # expired: no longer served
    assert recordings.purge() == 1
    assert not recordings.path(recording_id).exists()
    assert recordings.purge() == 0


def test_recording_ids_cannot_reach_other_files(recordings: RecordingStore) -> None:
    with pytest.raises(ValueError, match="malformed"):
        recordings.path("../../etc/passwd")


def test_nomatch_report_points_to_the_recordings_of_a_phrase(
    store: Store, recordings: RecordingStore, clock: FakeClock
) -> None:
    call = "CA" + "1" * 32
    seq = store.record_turn(call, "main", "speech", "my mortgage", None, 0.0, "no_match")
    recording_id = recordings.keep(call, seq, "main", AUDIO)
    report = nomatch_report(store.engine, now=clock()).as_json()
    (main,) = report["menus"]
    assert main["unrecognized"] == [
        {"text": "my mortgage", "count": 1, "recordings": [recording_id]}
    ]
