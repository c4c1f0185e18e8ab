"""A real two-instance cluster for the whole module: PostgreSQL, Redis, nginx and two
``ivr serve`` processes, each with its own copy of the grammars (as on two hosts)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.cluster.launch import LocalCluster
from ivr.cluster.nginx import LocalNginx
from ivr.cluster.postgres import LocalPostgres
from ivr.cluster.redis_server import LocalRedis
from tests.conftest import API_TOKEN, AUTH_TOKEN, PIN_KEY, ROOT, free_port

AGENT, AGENT_PASSWORD = "cluster.agent", "cluster agent password 1"


def _unavailable() -> str | None:
    for part in (LocalPostgres, LocalRedis, LocalNginx):
        reason = part.unavailable()
        if reason is not None:
            return reason
    return None


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, prompt_audio_dir: Path
) -> Iterator[LocalCluster]:
    reason = _unavailable()
    if reason is not None:
        pytest.skip(f"cluster tests need PostgreSQL, Redis and nginx: {reason}")
    workdir = tmp_path_factory.mktemp("cluster")
    grammar_dirs = []
    for name in ("host-1", "host-2"):
        target = workdir / name / "grammars"
        shutil.copytree(ROOT / "grammars" / "en", target)
        grammar_dirs.append(target)
    env = {
        "IVR_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "IVR_API_TOKEN": API_TOKEN,
        "IVR_PIN_KEY": PIN_KEY,
        "IVR_ASR": "pocketsphinx",
        "IVR_SECOND_PASS": "off",
        "IVR_MODELS_DIR": str(workdir / "no-models"),
        "IVR_AUDIO_DIR": str(prompt_audio_dir),
        "IVR_GRAMMAR_POLL_S": "0.2",
        "IVR_DRAIN_TIMEOUT_S": "20",
    }
    # Ports: nginx on `port`, instances on the next ones, Redis at +100.
    running = LocalCluster(workdir, _free_block(), env, workers=2, grammar_dirs=grammar_dirs)
    try:
        running.start()
        _add_agent(running)
        yield running
    finally:
        running.stop()


def _free_block() -> int:
    """A port whose neighbours (+1, +2, +100) were free a moment ago."""
    for _ in range(50):
        port = free_port()
        if port < 60000:
            return port
    raise RuntimeError("no free port block")


def _add_agent(cluster: LocalCluster) -> None:
    env = cluster.instances[0].env
    cmd = [sys.executable, "-m", "ivr.cli", "agents", "add", AGENT, "--password-stdin"]
    subprocess.run(cmd, env=env, input=AGENT_PASSWORD + "\n", text=True, check=True, timeout=60)
