"""Take the README's screenshot of the agent desk with real calls in it.

    .venv/bin/python -m tests.agent.desk_screenshot [OUT.png]

Starts the hotline on a throwaway database, places three simulated calls that end with
an agent (a frustrated caller the menu could not understand, a verified customer who
asked for a person, a lost card from an unknown number), signs an agent in to the desk in
headless Chromium, takes the verified call, opens its context and starts a note, and
saves the page (default: ``ivr/web/static/agent-desk.png``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from ivr.sim.caller import Step, new_call_sid
from ivr.tts.synth import Pyttsx3Synthesizer
from tests.agent.browser import CHROMIUM, CallInThread, launch, sign_in_page
from tests.conftest import ROOT, start_server

DEFAULT_OUT = ROOT / "ivr" / "web" / "static" / "agent-desk.png"
AGENT = "sam.rivera"
PASSWORD = "screenshot-only-password"
CALLS = [
    ("+14155550101", [Step("say", "the weather is nice today")] * 2),
    (
        "+14155550100",
        [
            Step("say", "what is my balance"),
            Step("dtmf", "2468"),
            Step("say", "I want to talk to a person"),
        ],
    ),
    ("+14155550199", [Step("say", "I lost my card")]),
]


def main(out: Path = DEFAULT_OUT) -> None:
    """Place the calls, open the desk and save the screenshot to ``out``."""
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found: apt-get install chromium")
    synth = Pyttsx3Synthesizer()
    with tempfile.TemporaryDirectory() as tmp:
        servers = start_server(Path(tmp), Path(tmp) / "audio", synth)
        server = next(servers)
        try:
            server.services.agents.add_agent(AGENT, PASSWORD)
            with sync_playwright() as playwright:
                context = launch(playwright, Path(tmp) / "profile")
                page = sign_in_page(context, server.base_url, AGENT, PASSWORD)
                sids = []
                for caller, steps in CALLS:
                    sid = new_call_sid()
                    CallInThread(server, sid, caller, *steps).join()
                    page.locator(f"#call-{sid}").wait_for(timeout=10_000)
                    sids.append(sid)
                verified = page.locator(f"#call-{sids[1]}")
                verified.get_by_role("button", name="Take call").click()
                verified.locator("textarea").wait_for(timeout=10_000)
                verified.locator("summary").click()
                verified.locator("textarea").fill(
                    "Asked about a card payment still pending; explained it clears tomorrow."
                )
                page.mouse.move(0, 0)
                page.screenshot(path=str(out), full_page=True)
                context.close()
        finally:
            servers.close()
            synth.close()
    print(f"saved {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
