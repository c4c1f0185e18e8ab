"""Whole calls with recordings for tuning switched on (``IVR_RECORD_UTTERANCES=on``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ivr.sim.caller import Step
from ivr.tts.synth import Pyttsx3Synthesizer
from tests.conftest import API_TOKEN, LiveServer, start_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def recording_server(
    tmp_path_factory: pytest.TempPathFactory, prompt_audio_dir: Path, synth: Pyttsx3Synthesizer
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("recording")
    yield from start_server(
        tmp,
        prompt_audio_dir,
        synth,
        record_utterances=True,
        recording_dir=tmp / "recordings",
        recording_retention_days=7,
    )


def test_call_not_understood_turn_is_recorded_and_reachable_from_the_report(
    recording_server: LiveServer,
) -> None:
    server = recording_server
    result = server.call(
        Step("say", "what is the weather like in Boston today"),
        Step("say", "balance please"),
        Step("say", "I don't remember it, I think it's written on a card somewhere"),
        Step("dtmf", "2468"),
        speed=3.0,
    )
    assert result.record is not None
    outcomes = [(t["menu"], t["outcome"]) for t in result.record["turns"]]
    assert outcomes[0] == ("main", "no_match") and ("pin", "no_match") in outcomes

    directory = server.settings.recording_dir
    files = sorted(directory.glob("*.wav"))
    # The main-menu no-match only: what was said at the PIN prompt is never kept.
    assert len(files) == 1
    assert oct(directory.stat().st_mode & 0o777) == "0o700"
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"

    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    with httpx.Client(base_url=server.base_url, headers=auth) as api:
        report = api.get("/api/reports/nomatch").json()
        main = next(m for m in report["menus"] if m["menu"] == "main")
        phrase = next(u for u in main["unrecognized"] if "weather" in u["text"])
        (recording_id,) = phrase["recordings"]
        assert files[0].name == f"{recording_id}.wav"
        audio = api.get(f"/api/recordings/{recording_id}")
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
        assert audio.headers["cache-control"] == "no-store"
        assert audio.content[:4] == b"RIFF" and len(audio.content) > 8000
        info = api.get(f"/api/recordings/{recording_id}/info").json()
        assert (info["call_sid"], info["menu"]) == (result.call_sid, "main")
    denied = httpx.get(f"{server.base_url}/api/recordings/{recording_id}")
    assert denied.status_code == 401


def test_recordings_are_off_by_default(live_server: LiveServer) -> None:
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    response = httpx.get(f"{live_server.base_url}/api/recordings/abc123", headers=auth)
    assert response.status_code == 404 and "are off" in response.json()["detail"]
