"""A real headless Chromium (Debian's ``chromium``) driven by Playwright.

Playwright's own browser download is never used: CI installs Debian's package
(.ci/install-system-packages) and we launch that binary with a fresh profile.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, ViewportSize

from ivr.sim.caller import CallResult, Step
from tests.conftest import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


def require_chromium() -> None:
    """Fail (not skip) without the browser: CI installs it, so its absence is a bug."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the agent desk tests need Debian's chromium package "
            "(`bash .ci/install-system-packages`, or `apt-get install chromium`)",
            pytrace=False,
        )


def launch(playwright: Playwright, profile_dir: Path) -> BrowserContext:
    """A browser with a fresh profile in ``profile_dir`` (its own cookies: one agent)."""
    return playwright.chromium.launch_persistent_context(
        str(profile_dir),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=VIEWPORT,
    )


def sign_in_page(context: BrowserContext, base_url: str, username: str, password: str) -> Page:
    """Open the desk in ``context``, signing in through the form; returns the desk page
    once its event stream is live."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{base_url}/agent")
    assert page.url == f"{base_url}/agent/login", "the desk should ask for a sign-in first"
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/agent")
    page.locator('#live[data-state="open"]').wait_for(timeout=15_000)
    return page


class CallInThread:
    """A simulated call placed on a thread while the test drives the browser."""

    def __init__(self, server: LiveServer, call_sid: str, caller: str, *steps: Step) -> None:
        self.result: CallResult | None = None
        self.error: BaseException | None = None
        sim = server.simulator(caller=caller, speed=3.0)

        def run() -> None:
            try:
                self.result = asyncio.run(sim.place_call(list(steps), call_sid=call_sid))
            except BaseException as exc:  # reported by join()
                self.error = exc

        self._thread = threading.Thread(target=run, name=f"call-{call_sid}", daemon=True)
        self._thread.start()

    def join(self, timeout_s: float = 180.0) -> CallResult:
        """Wait for the call to end; its result, or its error raised here."""
        self._thread.join(timeout_s)
        assert not self._thread.is_alive(), "the simulated call did not finish"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result
