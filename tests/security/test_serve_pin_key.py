"""PIN hashes need a key kept outside the database, and the database is private: a real
``ivr serve`` refuses to start without the key, and leaves files only its user can read."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.sim.caller import Step
from ivr.store.pin_keys import key_id, parse_keys
from ivr.store.pins import PinHasher
from tests.conftest import PIN_KEY, ROOT
from tests.serve_process import serve, serve_env

pytestmark = pytest.mark.slow


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("command", [["serve"], ["db", "seed"]])
def test_serve_and_seed_without_a_pin_key_refuse_to_start(
    tmp_path: Path, prompt_audio_dir: Path, command: list[str]
) -> None:
    env = serve_env(tmp_path, 9, prompt_audio_dir)
    del env["IVR_PIN_KEY"]
    done = subprocess.run(
        [sys.executable, "-m", "ivr.cli", *command],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "IVR_PIN_KEY or IVR_PIN_KEY_FILE is required" in done.stderr
    assert not (tmp_path / "var" / "ivr.db").exists()


def test_serve_database_private_and_pin_hashes_need_the_key(
    tmp_path: Path, prompt_audio_dir: Path
) -> None:
    with serve(tmp_path, prompt_audio_dir) as server:
        result = asyncio.run(
            server.simulator(speed=3.0).place_call([Step("dtmf", "1"), Step("dtmf", "2468")])
        )
        database = server.database
        files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
        modes = {f.name: mode(f) for f in files if f.exists()}
        directory = mode(database.parent)
        with sqlite3.connect(database) as db:
            (ada_hash,) = db.execute(
                "SELECT pin_hash FROM customers WHERE phone = '+14155550100'"
            ).fetchone()
    assert result.record is not None and result.record["verified"] is True
    # Created by `ivr db seed` and the server under the usual umask 022, yet private.
    assert directory == 0o700
    assert modes == {"ivr.db": 0o600, "ivr.db-wal": 0o600, "ivr.db-shm": 0o600}
    # The stored hash names the key; with any other key (or none) the PIN does not match.
    assert ada_hash.split("$")[:2] == ["scrypt-hmac", key_id(PIN_KEY.encode())]
    assert PinHasher(parse_keys(PIN_KEY, "test")).verify("2468", ada_hash).ok
    stolen = PinHasher(parse_keys("a-guessed-key-0123456789abcdef0123456", "test"))
    assert not stolen.verify("2468", ada_hash).ok
