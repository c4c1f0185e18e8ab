"""``make cluster``: a local cluster on IVR_PORT with IVR_WORKERS instances, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

from ivr.cluster.launch import LocalCluster


def _print_where(cluster: LocalCluster) -> None:
    print(f"hotline on {cluster.url} (nginx) over:")
    for instance in cluster.instances:
        print(f"  {instance.name}: {instance.url}  (log: {cluster.workdir / instance.name}.log)")
    print("Ctrl-C stops everything.")


def main() -> int:
    """Start the cluster, print where everything is, stop it all on Ctrl-C or SIGTERM."""
    port = int(os.environ.get("IVR_PORT", "8080"))
    workers = int(os.environ.get("IVR_WORKERS", "2"))
    workdir = Path(tempfile.mkdtemp(prefix="ivr-cluster-"))
    env = {k: v for k, v in os.environ.items() if k.startswith("IVR_")}
    cluster = LocalCluster(workdir, port, env, workers=workers)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"starting PostgreSQL, Redis, {workers} instances and nginx (files in {workdir})")
    try:
        cluster.start()
        _print_where(cluster)
        stop.wait()
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
