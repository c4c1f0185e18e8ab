"""A throwaway PostgreSQL server on a Unix socket in a private directory."""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine


class LocalPostgres:
    """Started from the installed server binaries (``/usr/lib/postgresql/*/bin``) with
    trust auth and fsync off: fast, and gone when stopped. Local use only."""

    def __init__(self, bindir: Path, driver: str) -> None:
        self.bindir = bindir
        self.driver = driver
        # Not under a 0700 root-owned directory: the server may have to run as the
        # 'postgres' user (it refuses to run as root).
        self.root = Path(tempfile.mkdtemp(prefix="ivr-pg-"))
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._databases = itertools.count(1)

    @staticmethod
    def unavailable() -> str | None:
        """Why a server cannot be started here, or None if it can."""
        if not sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            return "PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin)"
        if LocalPostgres.find_driver() is None:
            return "no PostgreSQL driver installed (pip install 'psycopg[binary]')"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to run the server"
        return None

    @staticmethod
    def find_driver() -> str | None:
        """The installed driver SQLAlchemy should use."""
        for module, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
            if importlib.util.find_spec(module) is not None:
                return driver
        return None

    @classmethod
    def create(cls) -> LocalPostgres:
        """A server from the newest installed binaries (not started yet)."""
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1].parent
        driver = cls.find_driver()
        assert driver is not None, LocalPostgres.unavailable()
        return cls(bindir, driver)

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        """initdb and start; returns once the server accepts connections."""
        data = self.root / "data"
        self._run(
            str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = f"-k {self.root} -p 5432 -c listen_addresses= -c fsync=off"
        log = str(self.root / "server.log")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", log,
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        """Stop the server and delete its files."""
        with contextlib.suppress(subprocess.SubprocessError):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"),
                      "-m", "immediate", "-w", "stop")  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+{self.driver}://postgres@/{database}?host={self.root}&port=5432"

    def new_database(self, name: str | None = None) -> str:
        """A fresh empty database; its URL."""
        name = name or f"ivr_test_{next(self._databases)}"
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            admin.dispose()
        return self.url(name)
