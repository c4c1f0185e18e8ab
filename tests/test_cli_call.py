"""``ivr call`` against a real ``ivr serve``: the simulated call belongs to the account the
server is configured for (``IVR_TWILIO_ACCOUNT_SID``), as a real Twilio call would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.serve_process import serve

pytestmark = pytest.mark.slow

ACCOUNT = "AC" + "5" * 32


def test_cli_call_uses_the_configured_account_sid(tmp_path: Path, prompt_audio_dir: Path) -> None:
    with serve(tmp_path, prompt_audio_dir, IVR_TWILIO_ACCOUNT_SID=ACCOUNT) as server:
        # The operator's shell: the same IVR_* settings as the server.
        done = subprocess.run(
            [sys.executable, "-m", "ivr.cli", "call", "--dtmf", "0"],
            env=server.env, cwd=ROOT, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        output = server.output()
    assert done.returncode == 0, done.stderr
    # The stream was accepted (the caller asked for a person and got one) rather than
    # refused for the wrong account and sent to a technical transfer.
    assert "transferred: caller_request" in done.stdout
    assert "technical_error" not in done.stdout
    assert "accountSid is not this server's" not in output
