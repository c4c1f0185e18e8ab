"""Shared fixtures: a real server on a loopback port, real speech, real recognizers."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from ivr.app.services import Services, build_services
from ivr.asr.base import SpeechEngine
from ivr.settings import Settings, load_settings
from ivr.sim.caller import CallResult, SimConfig, Simulator, Step
from ivr.store.pin_keys import parse_keys
from ivr.store.pins import PinHasher
from ivr.store.repo import Store
from ivr.store.seed import seed_demo
from ivr.tts.espeak import EspeakSynthesizer
from ivr.tts.synth import Pyttsx3Synthesizer, Synthesizer
from ivr.web.factory import create_app

ROOT = Path(__file__).resolve().parent.parent
AUTH_TOKEN = "test-auth-token-0123456789"
API_TOKEN = "test-api-token-0123456789"
PIN_KEY = "test-pin-key-0123456789abcdef0123456789"
TEST_PINS = PinHasher(parse_keys(PIN_KEY, "tests"))
"""PIN hashing under the tests' key, for stores the tests build themselves."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A running app: its settings, services, and a simulator pointed at it.

    ``synth`` renders the server's prompts (pyttsx3, as in production); simulated callers
    speak with ``caller_voice`` (espeak-ng per utterance), which says the same text the
    same way on every run, so a call's recognition does not change from run to run.
    """

    settings: Settings
    services: Services
    base_url: str
    synth: Synthesizer
    caller_voice: Synthesizer = field(default_factory=EspeakSynthesizer)

    def simulator(self, **overrides: object) -> Simulator:
        config = SimConfig(
            base_url=self.base_url,
            public_url=self.settings.public_url,
            auth_token=AUTH_TOKEN,
            api_token=API_TOKEN,
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        return Simulator(config, synth=self.caller_voice)

    def call(self, *steps: Step, **overrides: object) -> CallResult:
        return asyncio.run(self.simulator(**overrides).place_call(list(steps)))


@pytest.fixture(scope="session")
def synth() -> Iterator[Pyttsx3Synthesizer]:
    s = Pyttsx3Synthesizer()
    yield s
    s.close()


@pytest.fixture(scope="session")
def prompt_audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prompt-audio")


def start_server(
    tmp: Path,
    audio_dir: Path,
    synth: Synthesizer,
    *,
    engine: SpeechEngine | None = None,
    wrap_store: Callable[[Store], Any] | None = None,
    free_pass: Any = "load",
    **overrides: object,
) -> Generator[LiveServer, None, None]:
    """Build services and run uvicorn in a thread; yields once it accepts connections.

    ``engine``, ``free_pass`` and ``wrap_store`` inject faults (a failing recognizer or
    second pass, a store that goes down mid-call); everything else is the real thing.
    """
    port = free_port()
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "public_url": f"http://127.0.0.1:{port}",
        "twilio_auth_token": AUTH_TOKEN,
        "api_token": API_TOKEN,
        "pin_key": PIN_KEY,
        "database_url": f"sqlite:///{tmp / 'ivr.db'}",
        "asr": "pocketsphinx",
        "models_dir": tmp / "no-models",
        "grammar_dir": ROOT / "grammars" / "en",
        "audio_dir": audio_dir,
    }
    values.update(overrides)
    settings = load_settings(**values)
    services = build_services(settings, synth=synth, engine=engine, free_pass=free_pass)
    seed_demo(services.store)
    if wrap_store is not None:
        services.store = wrap_store(services.store)
    app = create_app(settings, services)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(settings, services, f"http://127.0.0.1:{port}", synth)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        services.executor.shutdown(wait=False, cancel_futures=True)


def stop_server(server: Iterator[LiveServer]) -> None:
    """Run a :func:`start_server` generator's clean-up: the server stops."""
    for _ in server:
        pass


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, prompt_audio_dir: Path, synth: Pyttsx3Synthesizer
) -> Iterator[LiveServer]:
    """The English hotline with PocketSphinx and the demo customers."""
    yield from start_server(tmp_path_factory.mktemp("live"), prompt_audio_dir, synth)
