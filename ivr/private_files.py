"""Local data only the service's own user can read: directories 0700, files 0600.

The SQLite database holds full account numbers and PIN hashes; the prompt cache holds
rendered balances. Created files do not depend on the process umask (0644 by default,
i.e. readable by every local user), and an existing database that is open to others is
tightened when the server opens it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
_OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) if needed; a directory created here is 0700.

    Existing directories are left as they are: they may be an operator's (``/var/lib``).
    """
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, DIR_MODE)  # mkdir's mode is subject to the umask; chmod is not


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and only its owner can read or write it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    tighten(path)


def tighten(path: Path) -> None:
    """Take group and other permissions off an existing file (no-op if it is missing)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if mode & _OPEN_TO_OTHERS:
        os.chmod(path, stat.S_IMODE(mode) & ~_OPEN_TO_OTHERS)
        log.warning("%s was readable by other users; now %04o", path, FILE_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, as a 0600 file: a concurrent reader sees the
    old file or the whole new one, never half of it."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
