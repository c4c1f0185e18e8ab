"""``X-Forwarded-For`` decides whose sign-in failures are counted only when a proxy is
configured: a real ``ivr serve`` behind no proxy counts the peer, not what it claims."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.serve_process import ServeProcess, serve

pytestmark = pytest.mark.slow

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def failed_sign_ins(server: ServeProcess, forwarded_for: list[str]) -> list[int]:
    """One wrong password per entry, each for a username of its own (so only the
    per-address limit applies), claiming to come from that address."""
    codes = []
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        page = client.get("/agent/login")
        found = _CSRF.search(page.text)
        assert found is not None
        for n, address in enumerate(forwarded_for):
            response = client.post(
                "/agent/login",
                data={"username": f"guess{n}", "password": "wrong password!", "csrf": found[1]},
                headers={"X-Forwarded-For": address},
            )
            codes.append(response.status_code)
    return codes


def test_serve_by_default_counts_the_peer_whatever_it_forwards(
    tmp_path: Path, prompt_audio_dir: Path
) -> None:
    with serve(tmp_path, prompt_audio_dir) as server:
        # Behind a local tunnel every client is 127.0.0.1; claiming six addresses does not
        # give six fresh counters: the fifth failure locks the one real address.
        codes = failed_sign_ins(server, [f"198.51.100.{n}" for n in range(6)])
    assert codes == [401, 401, 401, 401, 429, 429]


def test_serve_with_a_configured_proxy_counts_the_forwarded_address(
    tmp_path: Path, prompt_audio_dir: Path
) -> None:
    with serve(tmp_path, prompt_audio_dir, IVR_FORWARDED_ALLOW_IPS="127.0.0.1") as server:
        # Six agents behind the proxy, one failure each: nobody is locked ...
        spread = failed_sign_ins(server, [f"198.51.100.{n}" for n in range(6)])
        # ... while five failures from one of them lock that one.
        one = failed_sign_ins(server, ["203.0.113.9"] * 5)
    assert spread == [401] * 6
    assert one == [401, 401, 401, 401, 429]
