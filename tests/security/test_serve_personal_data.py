"""After a whole balance call, no account ending, amount or PIN sits in any file the
server wrote — logs, prompt audio, the speech worker's scratch files — only in its
database, where they belong."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ivr.sim.caller import Step
from tests.leaks import shows
from tests.serve_process import serve

ADA = "+14155550100"
SECRETS = ("1234", "9876", "2468", "2517", "10250")
"""Ada's account endings, her PIN, and her two balances' whole dollars."""
RAM = Path("/dev/shm")


def scratch_files() -> set[Path]:
    """Every file in the speech workers' scratch directories right now."""
    return {f for d in RAM.glob("ivr-tts-*") for f in d.rglob("*")} if RAM.is_dir() else set()


def written_text(root: Path, skip: set[Path]) -> str:
    """Every file under ``root`` but ``skip``, as text (binary bytes decoded leniently)."""
    files = [p for p in root.rglob("*") if p.is_file() and p not in skip]
    return "\n".join(p.read_bytes().decode("latin-1") for p in files)


@pytest.mark.slow
def test_a_balance_call_leaves_its_numbers_only_in_the_database(
    tmp_path: Path, prompt_audio_dir: Path
) -> None:
    with serve(tmp_path, prompt_audio_dir, IVR_LOG_LEVEL="DEBUG") as server:
        audio_before = set(prompt_audio_dir.iterdir())  # the static prompts, rendered
        steps = [Step("dtmf", "1"), Step("dtmf", "2468"), Step("wait", "1"), Step("hangup")]
        result = asyncio.run(server.simulator(caller=ADA, speed=3.0).place_call(steps))
        scratch_during = scratch_files()
        database = server.database

    assert result.record is not None and result.record["verified"] is True
    spoken = " ".join(p["text"] for p in result.record["prompts"])
    assert "1 2 3 4" in spoken, "the call did read Ada's balances"  # the test can fail
    assert set(prompt_audio_dir.iterdir()) == audio_before, "a personal prompt was cached"
    assert scratch_during == set(), "speech scratch files were left behind"
    db_files = {p for p in database.parent.iterdir() if p.name.startswith(database.name)}
    text = written_text(tmp_path, skip=db_files)
    assert [s for s in SECRETS if shows(s, text)] == []
