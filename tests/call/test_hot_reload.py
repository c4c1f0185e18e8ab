"""Grammar hot reload, proven with whole calls against a live server on a copy of grammars/en.

The server polls its grammar directory every ``IVR_GRAMMAR_POLL_S`` (0.1 s here). Edits
are made while the server runs; the tests wait for the store or the registry to show that
something happened (never for a fixed time) and then assert what callers got.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ivr.sim.caller import CallResult, Step, new_call_sid
from ivr.store.views import StoredTurn
from ivr.tts.synth import Pyttsx3Synthesizer
from tests.conftest import ROOT, LiveServer, start_server
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

ADA = "+14155550100"
MORTGAGE = "i need a mortgage"
WAIT_S = 30.0
"""Upper bound for waiting on the server; a healthy run needs a fraction of it."""


@pytest.fixture
def grammar_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "grammars-en"
    shutil.copytree(ROOT / "grammars" / "en", copy, ignore=shutil.ignore_patterns("tests"))
    return copy


@pytest.fixture
def server(
    tmp_path: Path,
    prompt_audio_dir: Path,
    synth: Pyttsx3Synthesizer,
    grammar_copy: Path,
) -> Iterator[LiveServer]:
    yield from start_server(
        tmp_path, prompt_audio_dir, synth, grammar_dir=grammar_copy, grammar_poll_s=0.1
    )


def edit(file: Path, old: str, new: str) -> str:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    edited = text.replace(old, new, 1)
    file.write_text(edited, encoding="utf-8")
    return edited


def healthz_grammar(server: LiveServer) -> str:
    grammar: str = httpx.get(f"{server.base_url}/healthz", timeout=10).json()["grammar"]
    return grammar


class CallInThread:
    """A simulated call running in its own thread, so the test can act while it goes on."""

    def __init__(self, server: LiveServer, *steps: Step, speed: float = 2.0) -> None:
        self.sid = new_call_sid()
        self.result: CallResult | None = None
        sim = server.simulator(caller=ADA, speed=speed)
        self._thread = threading.Thread(
            target=lambda: setattr(self, "result", asyncio.run(sim.place_call(steps, self.sid)))
        )
        self._thread.start()

    def join(self) -> CallResult:
        self._thread.join(timeout=120)
        assert self.result is not None, "the call did not finish"
        return self.result


def test_hot_reload_call_in_progress_uses_edited_grammar_at_its_next_turn(
    server: LiveServer, grammar_copy: Path
) -> None:
    store, registry = server.services.store, server.services.grammars
    before = registry.fingerprint()
    # Turn 1 is spoken under the shipped grammar; the silent wait after the reprompt leaves
    # room for the reload before turn 2 (the reload needs ~0.2 s, the reprompt alone ~4 s).
    call = CallInThread(server, Step("say", MORTGAGE), Step("wait", "3"), Step("say", MORTGAGE))

    def first_turn() -> StoredTurn | None:
        record = store.get_call(call.sid)
        turns = record["turns"] if record else []
        return turns[0] if turns else None

    turn = wait_until(first_turn, "the call's first turn")
    assert (turn["menu"], turn["outcome"]) == ("main", "no_match"), turn
    edit(
        grammar_copy / "common.yaml",
        '      - "[a] representative"\n',
        f'      - "[a] representative"\n      - "{MORTGAGE}"\n',
    )
    wait_until(lambda: registry.fingerprint() != before, "the edited grammar to go live")
    result = call.join()

    assert result.record is not None
    second = result.record["turns"][1]
    assert (second["menu"], second["transcript"], second["intent"], second["outcome"]) == (
        "main",
        MORTGAGE,
        "agent",
        "matched",
    )
    assert result.record["transfer"]["reason"] == "caller_request"
    assert "<Dial" in result.after_stream_twiml


def test_hot_reload_invalid_edit_is_refused_and_previous_grammar_keeps_serving(
    server: LiveServer, grammar_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = server.services.grammars
    served = healthz_grammar(server)
    main_yaml = grammar_copy / "main.yaml"
    with caplog.at_level(logging.ERROR, logger="ivr.grammar"):
        text = edit(main_yaml, '- "balances"', '- "(balances"')
        wait_until(lambda: registry.last_error is not None, "the edit to be refused")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"(balances"' in row)
    assert f"{main_yaml}:{line}: error: template '(balances'" in caplog.text
    assert "previous grammars keep serving" in caplog.text
    assert healthz_grammar(server) == served

    result = server.call(
        Step("say", "what is my balance"), Step("dtmf", "2468"), caller=ADA, speed=3.0
    )
    assert result.record is not None
    first = result.record["turns"][0]
    assert (first["intent"], first["outcome"]) == ("balance", "matched")
    assert "checking account ending in 1 2 3 4" in " ".join(
        p["text"] for p in result.record["prompts"]
    )


def test_hot_reload_edit_removing_a_dialog_menu_is_refused(
    server: LiveServer, grammar_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = server.services.grammars
    served = healthz_grammar(server)
    with caplog.at_level(logging.ERROR, logger="ivr.grammar"):
        edit(grammar_copy / "main.yaml", "  policy_choice:\n", "  policy_options:\n")
        wait_until(lambda: registry.last_error is not None, "the edit to be refused")
    assert "menu 'policy_choice' is missing" in caplog.text
    assert healthz_grammar(server) == served and "policy_choice" in registry.compiled()


def test_hot_reload_changed_prompt_is_rendered_before_it_is_used(
    server: LiveServer, grammar_copy: Path
) -> None:
    services = server.services
    registry, prompts = services.grammars, services.prompts
    before = registry.fingerprint()
    new_initial = "Welcome back. Say balance or policy, or press 1 or 2. Say agent or press 0."
    assert not prompts.path(new_initial).exists()
    main_yaml = grammar_copy / "main.yaml"
    text = main_yaml.read_text(encoding="utf-8")
    start = text.index("      initial: >-\n")
    end = text.index("      reprompt: >-\n")
    main_yaml.write_text(text[:start] + f'      initial: "{new_initial}"\n' + text[end:])

    wait_until(lambda: registry.fingerprint() != before, "the edited prompt to go live")
    # The swap happens after rendering: by the time the new grammar serves, its audio is there.
    assert prompts.path(new_initial).exists()
    assert healthz_grammar(server) == registry.fingerprint()

    result = server.call(Step("say", "goodbye"), caller=ADA, speed=3.0)
    assert result.record is not None
    texts = [p["text"] for p in result.record["prompts"]]
    assert any(text.endswith(new_initial) for text in texts), texts
