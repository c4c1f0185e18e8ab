"""Start and stop a local cluster: PostgreSQL, Redis, ``workers`` instances, nginx."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ivr.cluster.nginx import LocalNginx
from ivr.cluster.postgres import LocalPostgres
from ivr.cluster.redis_server import LocalRedis

READY_TIMEOUT_S = 240.0
"""Loading the recognizers and compiling grammars, several at once on 2 busy cores."""


@dataclass
class Instance:
    """One ``ivr serve`` of the cluster."""

    name: str
    port: int
    env: dict[str, str]
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its own address (the balancer's upstream), for tests and diagnosis."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the process (not waiting for readiness)."""
        out = (self.workdir / f"{self.name}.log").open("ab")
        cmd = [sys.executable, "-m", "ivr.cli", "serve"]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def signal(self, signum: int) -> None:
        """Send ``signum`` (SIGTERM drains, SIGKILL is a crash)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signum)

    def wait(self, timeout_s: float) -> int | None:
        """The exit code, or None if still running after ``timeout_s``."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def log(self) -> str:
        """What the process wrote so far."""
        return (self.workdir / f"{self.name}.log").read_text(errors="replace")


@dataclass
class LocalCluster:
    """The whole cluster; ``env`` holds the ``IVR_*`` settings every instance shares."""

    workdir: Path
    port: int
    env: Mapping[str, str]
    workers: int = 2
    grammar_dirs: list[Path] | None = None
    """One grammar directory per instance (as on separate hosts); default: ``env``'s."""
    postgres: LocalPostgres = field(default_factory=LocalPostgres.create)
    instances: list[Instance] = field(default_factory=list)
    redis: LocalRedis | None = None
    nginx: LocalNginx | None = None
    database_url: str = ""

    @property
    def url(self) -> str:
        """The public address: nginx."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start everything and return once every instance is ready."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.postgres.start()
        self.database_url = self.postgres.new_database("ivr")
        self.redis = LocalRedis(self.port + 100, self.workdir)
        self.redis.start()
        self._seed()
        self.instances = [self._instance(i) for i in range(self.workers)]
        for instance in self.instances:
            instance.start()
        for instance in self.instances:
            wait_ready(instance)
        self.nginx = LocalNginx(self.workdir, self.port, [i.port for i in self.instances])
        self.nginx.start()

    def _shared_env(self) -> dict[str, str]:
        assert self.redis is not None
        env = {**os.environ, **self.env}
        env.update(
            IVR_DATABASE_URL=self.database_url,
            IVR_REDIS_URL=self.redis.url,
            IVR_PUBLIC_URL=env.get("IVR_PUBLIC_URL") or self.url,
            IVR_FORWARDED_ALLOW_IPS="127.0.0.1",
            IVR_WORKERS="1",
        )
        return env

    def _seed(self) -> None:
        cmd = [sys.executable, "-m", "ivr.cli", "db", "seed"]
        subprocess.run(cmd, env=self._shared_env(), check=True, capture_output=True, timeout=120)

    def _instance(self, index: int) -> Instance:
        name = f"ivr-{index + 1}"
        port = self.port + 1 + index
        env = {**self._shared_env(), "IVR_PORT": str(port), "IVR_INSTANCE_ID": name}
        if self.grammar_dirs is not None:
            env["IVR_GRAMMAR_DIR"] = str(self.grammar_dirs[index])
        return Instance(name, port, env, self.workdir)

    def stop(self) -> None:
        """Stop everything, instances first (they drain for at most their timeout)."""
        for instance in self.instances:
            instance.signal(signal.SIGTERM)
        for instance in self.instances:
            if instance.wait(60.0) is None:
                instance.signal(signal.SIGKILL)
                instance.wait(10.0)
        for part in (self.nginx, self.redis):
            if part is not None:
                part.stop()
        self.postgres.stop()


def wait_ready(instance: Instance, timeout_s: float = READY_TIMEOUT_S) -> None:
    """Block until ``/healthz`` of ``instance`` answers 200; RuntimeError with its log if
    it exits or takes longer."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if instance.proc is not None and instance.proc.poll() is not None:
            raise RuntimeError(f"{instance.name} exited:\n{instance.log()[-3000:]}")
        try:
            if httpx.get(instance.url + "/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"{instance.name} not ready after {timeout_s:g} s:\n{instance.log()[-3000:]}"
    )
