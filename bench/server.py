"""Real server processes for the benchmarks: ``ivr serve`` (or uvicorn workers) on loopback.

Each server gets a throwaway SQLite database (seeded with the demo customers) and the
shared prompt-audio cache, so start-up renders nothing. Sampling reads /proc through
psutil: CPU seconds and resident memory of the server and all its child processes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
AUTH_TOKEN = "bench-auth-token-0123456789"
API_TOKEN = "bench-api-token-0123456789"
PIN_KEY = "bench-pin-key-0123456789abcdef0123"
PY = sys.executable


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(db: Path, port: int, asr: str = "pocketsphinx") -> dict[str, str]:
    """The environment of one benchmark server."""
    env = dict(os.environ)
    env.update(
        {
            "IVR_HOST": "127.0.0.1",
            "IVR_PORT": str(port),
            "IVR_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "IVR_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "IVR_API_TOKEN": API_TOKEN,
            "IVR_PIN_KEY": PIN_KEY,
            "IVR_DATABASE_URL": f"sqlite:///{db}",
            "IVR_ASR": asr,
            "IVR_MODELS_DIR": str(db.parent / "no-models"),
            "IVR_GRAMMAR_DIR": str(ROOT / "grammars" / "en"),
            "IVR_AUDIO_DIR": str(ROOT / "audio" / "cache"),
            "IVR_LOG_LEVEL": "INFO",
        }
    )
    return env


@dataclass
class Usage:
    """A point-in-time reading of the server's process tree."""

    cpu_s: float
    rss_bytes: int
    fds: int


@dataclass
class ServerProcess:
    """One running benchmark server (possibly a uvicorn master with workers)."""

    proc: subprocess.Popen[bytes]
    port: int
    workdir: Path
    log_path: Path
    workers: int = 1
    variant: str = "current"
    _closed: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tree(self) -> list[psutil.Process]:
        """The server process and its children (uvicorn workers, the TTS worker)."""
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def usage(self) -> Usage:
        """CPU seconds (user+system), RSS and open file descriptors, summed over the tree."""
        cpu, rss, fds = 0.0, 0, 0
        for p in self.tree():
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    cpu += t.user + t.system
                    rss += p.memory_info().rss
                    fds += p.num_fds()
            except psutil.NoSuchProcess:
                continue
        return Usage(cpu, rss, fds)

    def log_errors(self) -> list[str]:
        """Lines of the server log that report an error (ERROR level or a traceback)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [
            line
            for line in text.splitlines()
            if " ERROR " in line or line.startswith("Traceback") or " CRITICAL " in line
        ]

    def log_count(self, needle: str) -> int:
        """How many log lines contain ``needle`` (e.g. '" 500' for HTTP 5xx answers)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return sum(1 for line in text.splitlines() if needle in line)

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s)."""
        if self._closed:
            return
        self._closed = True
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True)


def start_server(
    workers: int = 1,
    asr: str = "pocketsphinx",
    workdir: Path | None = None,
    variant: str = "current",
    env_overrides: dict[str, str] | None = None,
) -> ServerProcess:
    """Seed a fresh database and start a server; returns once ``/healthz`` answers.

    ``workers`` > 1 runs uvicorn's multi-process mode (one listening socket shared by the
    workers; sessions are per process, the SQLite store is shared through WAL).
    ``variant`` picks the app build (see :mod:`bench.asgi`).
    """
    workdir = workdir or Path(tempfile.mkdtemp(prefix="ivr-bench-"))
    port = free_port()
    db = workdir / "ivr.db"
    env = server_env(db, port, asr)
    env.update(env_overrides or {})
    _run([PY, "-m", "ivr.cli", "db", "seed"], env)
    _run([PY, "-m", "ivr.cli", "prompts", "render"], env)
    log_path = workdir / "server.log"
    env["BENCH_WORKERS"] = str(workers)
    env["BENCH_VARIANT"] = variant
    cmd = [PY, "-m", "bench.serve"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    server = ServerProcess(proc, port, workdir, log_path, workers, variant)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            ok = 0
            # With several workers, wait until every one answers (they load models in turn).
            for _ in range(workers * 4):
                if httpx.get(server.base_url + "/healthz", timeout=2).status_code == 200:
                    ok += 1
            if ok:
                time.sleep(1.0 * workers)
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError("server did not start within 90 s")
