"""A real ``ivr serve`` process on a loopback port, for tests about the running server:
its log at a given level, floods, concurrent sign-ins, its files on disk.

The process is started the way an operator starts it (``python -m ivr.cli``, settings
from ``IVR_*`` variables) with a fresh SQLite database seeded by ``ivr db seed`` and the
test session's prompt-audio cache, so it renders nothing at start-up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ivr.sim.caller import SimConfig, Simulator
from tests.conftest import API_TOKEN, AUTH_TOKEN, PIN_KEY, ROOT, free_port

START_TIMEOUT_S = 120.0
"""Loading the recognizer and compiling grammars on a busy 2-core machine."""
STOP_TIMEOUT_S = 20.0


@dataclass
class ServeProcess:
    """One running ``ivr serve``; its stdout and stderr go to files in ``workdir``."""

    proc: subprocess.Popen[bytes]
    port: int
    workdir: Path
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> Path:
        return Path(self.env["IVR_DATABASE_URL"].removeprefix("sqlite:///"))

    def output(self) -> str:
        """Everything the process wrote so far, stdout then stderr."""
        parts = [(self.workdir / name).read_text(errors="replace") for name in OUTPUT_FILES]
        return "\n".join(parts)

    def simulator(self, **overrides: object) -> Simulator:
        """A keys-only simulated caller (no speech synthesizer) pointed at this server."""
        config = SimConfig(
            base_url=self.base_url,
            public_url=self.env["IVR_PUBLIC_URL"],
            auth_token=AUTH_TOKEN,
            api_token=API_TOKEN,
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        return Simulator(config)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int:
        """SIGTERM, as a service manager would; the exit code. A server that ignores it
        is killed and the test fails."""
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(f"ivr serve ignored SIGTERM for {STOP_TIMEOUT_S} s") from None


OUTPUT_FILES = ("stdout.log", "stderr.log")
CLEAN_EXITS = (0, -signal.SIGTERM)
"""uvicorn shuts down on SIGTERM, then re-raises it so the exit status tells why it ended."""


def serve_env(workdir: Path, port: int, audio_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of one server: the caller's minus any ``IVR_*``, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
    env.update(
        {
            "IVR_HOST": "127.0.0.1",
            "IVR_PORT": str(port),
            "IVR_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "IVR_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "IVR_API_TOKEN": API_TOKEN,
            "IVR_PIN_KEY": PIN_KEY,
            "IVR_DATABASE_URL": f"sqlite:///{workdir / 'var' / 'ivr.db'}",
            "IVR_ASR": "pocketsphinx",
            "IVR_MODELS_DIR": str(workdir / "no-models"),
            "IVR_GRAMMAR_DIR": str(ROOT / "grammars" / "en"),
            "IVR_AUDIO_DIR": str(audio_dir),
        }
    )
    env.update(extra)
    return env


@contextmanager
def serve(workdir: Path, audio_dir: Path, **extra: str) -> Iterator[ServeProcess]:
    """Seed a database, start ``ivr serve`` with ``extra`` settings; stop it afterwards."""
    port = free_port()
    env = serve_env(workdir, port, audio_dir, **extra)
    cli = [sys.executable, "-m", "ivr.cli"]
    subprocess.run([*cli, "db", "seed"], env=env, cwd=ROOT, check=True, capture_output=True)
    out, err = (open(workdir / name, "wb") for name in OUTPUT_FILES)  # noqa: SIM115
    with out, err:
        proc = subprocess.Popen([*cli, "serve"], env=env, cwd=ROOT, stdout=out, stderr=err)
    server = ServeProcess(proc, port, workdir, env)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if server.alive():
            server.stop()


def _wait_until_up(server: ServeProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"ivr serve exited:\n{server.output()[-3000:]}")
        try:
            if httpx.get(server.base_url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"ivr serve did not answer /healthz within {START_TIMEOUT_S} s")
