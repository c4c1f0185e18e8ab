"""Sign-in attempts do not slow live calls: a real ``ivr serve`` answers a caller's
greeting within a second while sixteen bogus agent sign-ins run concurrently."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.sim.caller import Step
from tests.conftest import ROOT
from tests.serve_process import ServeProcess, serve

pytestmark = pytest.mark.slow

CONCURRENT_SIGN_INS = 16
GREETING_LIMIT_MS = 1000


def greeting_ms(server: ServeProcess) -> float:
    """Voice webhook to the greeting's first audio frame, as the simulated caller saw it."""
    result = asyncio.run(server.simulator(speed=3.0).place_call([Step("hangup")]))
    assert result.first_audio_ms is not None
    return result.first_audio_ms


def test_serve_greeting_under_a_second_during_sixteen_concurrent_sign_ins(
    tmp_path: Path, prompt_audio_dir: Path
) -> None:
    # The forwarded address is trusted from the test's loopback client, as behind a local
    # proxy, so each bogus attempt comes from an address of its own (tests/signin_flood).
    with serve(tmp_path, prompt_audio_dir, IVR_FORWARDED_ALLOW_IPS="127.0.0.1") as server:
        greeting_ms(server)  # the first call after start-up warms caches; not measured
        flood = subprocess.Popen(
            [sys.executable, "-m", "tests.signin_flood", server.base_url, str(CONCURRENT_SIGN_INS)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert flood.stdin is not None and flood.stdout is not None
        try:
            assert flood.stdout.readline().strip() == "started"  # all sixteen in flight
            # A measured check, which the issue asks for. Unloaded, the greeting's first
            # audio comes about 20 ms after the webhook; before sign-ins had threads of
            # their own it came after 12-29 s, as the password hashes filled the thread
            # pool that call-store writes wait on. The bound, one second, leaves
            # a wide margin on a busy two-core machine (where one core hashes throughout).
            latency = greeting_ms(server)
        finally:
            flood.stdin.close()  # the flood stops and reports
            codes = {int(k): v for k, v in json.loads(flood.stdout.readline()).items()}
            flood.wait(timeout=120)
    assert latency < GREETING_LIMIT_MS, f"greeting after {latency:.0f} ms"
    # The flood was real: passwords were checked (401), and what the limits held back
    # was refused at once (429) rather than queued.
    assert codes.get(401, 0) >= 1, codes
    assert set(codes) <= {401, 429}, codes
