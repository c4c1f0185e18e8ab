"""nginx in front of the local instances, with the same proxy settings as production
(``deploy/nginx/ivr-proxy.conf``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ivr.cluster.redis_server import wait_for_port

PROXY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "ivr-proxy.conf"

_TEMPLATE = """\
{user}worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream ivr {{
        least_conn;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 1m;
        location / {{
            proxy_pass http://ivr;
            include {proxy_conf};
        }}
    }}
}}
"""


def nginx_conf(workdir: Path, port: int, upstreams: Sequence[int]) -> str:
    """A whole nginx.conf: ``port`` balancing over the loopback ``upstreams``."""
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in upstreams
    )
    # As root, workers would run as 'nobody' and could not use our private directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return _TEMPLATE.format(
        user=user, dir=workdir, servers=servers, port=port, proxy_conf=PROXY_CONF
    )


class LocalNginx:
    """``nginx`` as a child process with its files in ``workdir``."""

    def __init__(self, workdir: Path, port: int, upstreams: Sequence[int]) -> None:
        self.workdir = workdir
        self.port = port
        self.upstreams = list(upstreams)
        self._proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def unavailable() -> str | None:
        """Why nginx cannot be started here, or None if it can."""
        if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
            return "nginx is not installed (apt-get install nginx)"
        return None

    def start(self) -> None:
        """Write the config, start, and wait until it listens."""
        conf = self.workdir / "nginx.conf"
        conf.write_text(nginx_conf(self.workdir, self.port, self.upstreams))
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        log = (self.workdir / "nginx.out").open("ab")
        cmd = [
            binary,
            "-c",
            str(conf),
            "-p",
            str(self.workdir),
            "-e",
            str(self.workdir / "nginx-error.log"),
        ]
        self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, 10.0)

    def stop(self) -> None:
        """Stop nginx (quickly: connections are cut)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
