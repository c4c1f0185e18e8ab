"""The agent desk in a real headless Chromium against the running hotline.

Simulated calls escalate over Twilio's real protocol (on a thread) while the desk is
open; the page must show each transfer without reloading, with its full context, and
let an agent take it and write the disposition note.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright

from ivr.sim.caller import Step, new_call_sid
from ivr.tts.synth import Pyttsx3Synthesizer
from tests.agent.browser import CallInThread, launch, require_chromium, sign_in_page
from tests.conftest import API_TOKEN, LiveServer, start_server
from tests.leaks import shows
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
ADA = "+14155550100"
ALAN = "+14155550101"
CALL_S = 120.0
"""Generous bound for a simulated call to reach its transfer (speech runs on 2 cores)."""
UI_MS = 10_000
"""Generous bound for the page to react to a click."""


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    require_chromium()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def open_browser(playwright: Playwright, tmp_path: Path) -> Iterator[Callable[[], BrowserContext]]:
    """Opens browsers, each with a fresh profile (one per agent); closes them after."""
    contexts: list[BrowserContext] = []

    def open_one() -> BrowserContext:
        context = launch(playwright, tmp_path / f"profile-{len(contexts)}")
        contexts.append(context)
        return context

    yield open_one
    for context in contexts:
        context.close()


def new_agent(server: LiveServer) -> str:
    """A fresh agent on the shared server (names are unique: the database outlives tests)."""
    name = f"agent-{uuid.uuid4().hex[:8]}"
    server.services.agents.add_agent(name, PASSWORD)
    return name


def open_desk(server: LiveServer, open_browser: Callable[[], BrowserContext]) -> Page:
    page = sign_in_page(open_browser(), server.base_url, new_agent(server), PASSWORD)
    # Survives only as long as the document does: a reload would drop it.
    page.evaluate("window.__sameDocument = true")
    return page


def wait_for_transfer(server: LiveServer, call_sid: str, call: CallInThread) -> None:
    """Wait (generously) until the store has recorded the call's transfer."""

    def transferred() -> bool:
        if call.error is not None:
            raise call.error
        record = server.services.store.get_call(call_sid)
        return record is not None and record["transfer"] is not None

    wait_until(transferred, f"call {call_sid} to be transferred", timeout_s=CALL_S)


def test_desk_browser_escalating_call_is_pushed_to_the_open_page(
    live_server: LiveServer, open_browser: Callable[[], BrowserContext]
) -> None:
    page = open_desk(live_server, open_browser)
    sid = new_call_sid()
    call = CallInThread(live_server, sid, ALAN, Step("dtmf", "0"))
    wait_for_transfer(live_server, sid, call)
    # Pushed over the page's event stream (the same document, no reload). The bound is a
    # hang guard, not a latency check: tests never assert wall-clock times.
    page.locator(f"#call-{sid}").wait_for(timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    card = page.locator(f"#call-{sid}")
    expect(card.locator(".reason")).to_have_text("Asked for an agent")
    expect(card.locator(".verification")).to_have_text("Not verified")
    expect(card.locator(".caller")).to_have_text(ALAN)
    call.join()


def test_desk_browser_full_context_then_take_and_note(
    live_server: LiveServer, open_browser: Callable[[], BrowserContext]
) -> None:
    page = open_desk(live_server, open_browser)
    sid = new_call_sid()
    call = CallInThread(
        live_server,
        sid,
        ADA,
        Step("say", "what is my balance"),
        Step("dtmf", "2468"),
        Step("say", "I want to talk to a person"),
    )
    card = page.locator(f"#call-{sid}")
    expect(card).to_be_visible(timeout=CALL_S * 1000)
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"

    expect(card.locator(".caller")).to_have_text("Ada Lovelace")
    expect(card.locator(".verification")).to_have_text("Verified with PIN")
    expect(card.locator(".number")).to_have_text(ADA)
    expect(card.locator(".reason")).to_have_text("Asked for an agent")
    expect(card.locator(".ivr-time")).to_have_text(re.compile(r"\d+ s$"))
    card.locator("summary").click()
    turns = card.locator("tr.turn")
    expect(turns.first).to_be_visible(timeout=UI_MS)
    menus = turns.locator(".menu").all_inner_texts()
    assert menus[0] == "main" and "pin" in menus, menus
    pin_row = turns.filter(has=page.locator(".menu", has_text="pin")).first
    expect(pin_row.locator(".transcript")).to_have_text("****")
    assert not shows("2468", page.content()), "a PIN reached the agent's screen"
    expect(turns.first.locator(".intent")).to_contain_text("balance")

    card.get_by_role("button", name="Take call").click()
    expect(card.locator(".taken-by")).to_have_text("Taken by you", timeout=UI_MS)
    note = "Asked about a pending card payment; explained it clears tomorrow."
    card.locator("textarea").fill(note)
    card.get_by_role("button", name="Save note").click()
    expect(card.locator(".note-saved")).to_be_visible(timeout=UI_MS)
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"

    response = httpx.get(
        f"{live_server.base_url}/api/calls/{sid}",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    record = response.json()
    assert record["disposition_note"] == note
    assert record["taken_by"] == page.locator("#agent-name").inner_text()
    call.join()


def test_desk_browser_other_agents_see_a_take_live(
    live_server: LiveServer, open_browser: Callable[[], BrowserContext]
) -> None:
    first = open_desk(live_server, open_browser)
    second = open_desk(live_server, open_browser)
    sid = new_call_sid()
    call = CallInThread(live_server, sid, ADA, Step("dtmf", "3"))  # lost card
    first_card, second_card = first.locator(f"#call-{sid}"), second.locator(f"#call-{sid}")
    expect(first_card).to_be_visible(timeout=CALL_S * 1000)
    expect(second_card).to_be_visible(timeout=CALL_S * 1000)
    expect(second_card.locator(".badge-lost")).to_have_text("Lost card")

    first_card.get_by_role("button", name="Take call").click()
    taker = first.locator("#agent-name").inner_text()
    expect(second_card.locator(".taken-by")).to_have_text(f"Taken by {taker}", timeout=UI_MS)
    expect(second_card.get_by_role("button", name="Take call")).to_have_count(0)
    assert second.evaluate("window.__sameDocument") is True, "the page reloaded"
    call.join()


def test_desk_browser_signed_out_sees_login_and_no_events(
    live_server: LiveServer, open_browser: Callable[[], BrowserContext]
) -> None:
    context = open_browser()
    page = context.new_page()
    page.goto(f"{live_server.base_url}/agent")
    assert page.url == f"{live_server.base_url}/agent/login"
    expect(page.locator("#login-form")).to_be_visible()
    assert page.request.get(f"{live_server.base_url}/agent/events").status == 401

    desk = sign_in_page(context, live_server.base_url, new_agent(live_server), PASSWORD)
    desk.get_by_role("button", name="Sign out").click()
    desk.wait_for_url(f"{live_server.base_url}/agent/login")
    assert desk.request.get(f"{live_server.base_url}/agent/events").status == 401


@pytest.fixture(scope="module")
def fresh_server(
    tmp_path_factory: pytest.TempPathFactory, prompt_audio_dir: Path, synth: Pyttsx3Synthesizer
) -> Iterator[LiveServer]:
    """A server of its own: the lockout below locks 127.0.0.1, every test's address."""
    yield from start_server(tmp_path_factory.mktemp("lockout"), prompt_audio_dir, synth)


LOCKED_NETWORK = "Too many failed sign-ins from your network"


def test_desk_browser_wrong_passwords_lock_sign_in(
    fresh_server: LiveServer, open_browser: Callable[[], BrowserContext]
) -> None:
    agent = new_agent(fresh_server)
    page = open_browser().new_page()
    page.goto(f"{fresh_server.base_url}/agent/login")
    # A different username each time: one username's own back-off (a wait of a second or
    # two after three failures) would refuse some attempts uncounted and then expire, which
    # made this test depend on how fast the machine runs scrypt.
    for attempt in range(5):
        page.fill("#username", f"guess-{attempt}")
        page.fill("#password", f"wrong password {attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    expect(page.locator("#login-error")).to_contain_text(LOCKED_NETWORK)
    # Now even a real agent's right password is refused until the lockout ends.
    page.fill("#username", agent)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text(LOCKED_NETWORK)
    assert page.url == f"{fresh_server.base_url}/agent/login"
    assert page.request.get(f"{fresh_server.base_url}/agent/events").status == 401


def test_desk_browser_closed_page_stops_listening(
    live_server: LiveServer, open_browser: Callable[[], BrowserContext]
) -> None:
    feed = live_server.services.feed
    before = feed.subscriber_count
    page = open_desk(live_server, open_browser)
    assert feed.subscriber_count == before + 1
    page.close()
    wait_until(lambda: feed.subscriber_count == before, "the closed desk's subscription to end")
