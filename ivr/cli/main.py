"""Command line: ``ivr serve``, ``ivr call``, ``ivr grammar …``, ``ivr report …``, ``ivr db`` …"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ivr.logs import configure_logging
from ivr.settings import (
    LogSettings,
    SecretSettings,
    ServerSettings,
    Settings,
    SettingsError,
    SpeechSettings,
    StoreSettings,
    load_section,
    load_settings,
)


class _StepAction(argparse.Action):
    """Collect --say/--wav/--dtmf/--wait in the order given on the command line."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        from ivr.sim.caller import Step

        steps = list(getattr(namespace, "steps", None) or [])
        kind = (option_string or "--say").lstrip("-")
        steps.append(Step(kind=kind, value=str(values)))  # type: ignore[arg-type]  # kinds are the option names
        namespace.steps = steps


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ivr", description="Voice IVR for the bank and insurance hotline."
    )
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server (Twilio webhooks and media streams)")
    workers_help = "server processes on this host (default: IVR_WORKERS, 1); >1 needs PostgreSQL"
    serve.add_argument("--workers", type=int, default=None, help=workers_help)
    _add_call_parser(sub)
    _add_setup_parsers(sub)

    from ivr.cli.agents import add_agents_parser
    from ivr.cli.grammar import add_grammar_commands
    from ivr.cli.report import add_report_commands

    add_agents_parser(sub)
    add_grammar_commands(sub)
    add_report_commands(sub)
    return p


def _add_call_parser(sub: Any) -> None:
    call = sub.add_parser("call", help="place a simulated call against a running server")
    call.add_argument("--url", help="server base URL (default: IVR_PUBLIC_URL)")
    call.add_argument("--from", dest="caller", default="+14155550100", help="caller ID")
    call.add_argument("--to", dest="called", default="+15005550006", help="number dialled")
    call.add_argument(
        "--say", action=_StepAction, help="speak this text (synthesized, phone channel)"
    )
    call.add_argument("--wav", action=_StepAction, help="play this 16-bit mono WAV file")
    call.add_argument("--dtmf", action=_StepAction, help="press these keys, e.g. 2468#")
    call.add_argument("--wait", action=_StepAction, help="stay silent this many seconds")
    call.add_argument(
        "--voice",
        default="gmw/en-us",
        help="caller voice: an espeak-ng voice (espeak-ng --voices) or engine:voice, e.g."
        " flite:slt, festival:kal_diphone, piper:joe",
    )
    call.add_argument(
        "--snr", type=float, default=None, help="line noise under the caller's speech (dB SNR)"
    )
    call.add_argument("--rate", type=int, default=150, help="caller speaking rate (wpm)")
    call.add_argument(
        "--agent",
        default="completed",
        choices=["completed", "no-answer", "busy", "failed"],
        help="what the agent line does on a transfer",
    )
    call.set_defaults(steps=[])


def _add_setup_parsers(sub: Any) -> None:
    """``models pull``, ``prompts render``, ``db seed``: what a deployment runs once."""
    models = sub.add_parser("models", help="speech models")
    msub = models.add_subparsers(dest="models_command", required=True)
    pull = msub.add_parser(
        "pull", help="download an official Vosk model, or whisper-tiny.en (the second pass)"
    )
    pull.add_argument("name", nargs="?", default=None)

    prompts = sub.add_parser("prompts", help="prompt audio")
    psub = prompts.add_subparsers(dest="prompts_command", required=True)
    psub.add_parser("render", help="pre-render every prompt of the grammars")

    db = sub.add_parser("db", help="database")
    dsub = db.add_subparsers(dest="db_command", required=True)
    dsub.add_parser("seed", help="upgrade the schema and load the demo customers")
    dsub.add_parser(
        "upgrade", help="bring the schema to this version's revision (Alembic), losing nothing"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ivr`` console script."""
    args = _parser().parse_args(argv)
    from ivr.store.errors import StoreError

    try:
        configure_logging(load_section(LogSettings).log_level)
        return int(_dispatch(args))
    except (SettingsError, StoreError) as exc:
        print(f"ivr: {exc}", file=sys.stderr)
        return 2


_SIMPLE: dict[str, Callable[[argparse.Namespace], int]] = {
    "call": lambda args: _call(args),
    "models": lambda args: _models_pull(args.name),
    "prompts": lambda args: _prompts_render(),
    "db": lambda args: _db_upgrade() if args.db_command == "upgrade" else _db_seed(),
}
"""Commands run by a function of this module (the others import theirs lazily)."""


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "serve":
        if args.workers is not None:
            # In the environment, so every worker process reads the same settings.
            os.environ["IVR_WORKERS"] = str(args.workers)
        return _serve(load_settings())
    if command in _SIMPLE:
        return _SIMPLE[command](args)
    if command == "agents":
        from ivr.cli.agents import run_agents

        return run_agents(args)
    if command == "grammar":
        return _grammar(args)
    if command == "report":
        from ivr.cli.report import run_report

        return run_report(args)
    raise AssertionError(command)


def _serve(settings: Settings) -> int:
    import uvicorn

    from ivr.store.db import make_engine
    from ivr.store.schema import create_schema
    from ivr.web.factory import create_app

    # Before any worker starts: an old schema stops here with the command to run.
    engine = make_engine(settings.database_url)
    create_schema(engine)
    engine.dispose()
    # One process runs the app built here; several each build their own from the
    # environment (a uvicorn factory), sharing state through PostgreSQL and Redis.
    if settings.workers > 1:
        target = "ivr.web.factory:app_from_environment"
        uvicorn.run(target, factory=True, workers=settings.workers, **_uvicorn_options(settings))
    else:
        uvicorn.run(create_app(settings, drain_on_signal=True), **_uvicorn_options(settings))
    return 0


def _uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How ``ivr serve`` runs uvicorn, whatever the number of workers."""
    return {
        "host": settings.host,
        "port": settings.port,
        # Logging is configured by main() (ivr.logs): uvicorn's own configuration would set
        # ``uvicorn.error`` — the logger it hands to the WebSocket protocol, which logs every
        # frame at DEBUG — to the configured level.
        "log_config": None,
        "log_level": None,
        # Forwarded headers only from the proxies named in IVR_FORWARDED_ALLOW_IPS; by
        # default uvicorn believes them from 127.0.0.1, i.e. from any client of a local
        # tunnel, who could then pick the address their sign-in failures count under.
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
        "ws_max_size": settings.max_ws_message_bytes,
        # Twilio streams a frame every 20 ms; our own pings are unnecessary.
        "ws_ping_interval": None,
        # Desks' event streams are ended by the drain (ivr.web.drain) before uvicorn's own
        # shutdown; this bounds what is left.
        "timeout_graceful_shutdown": 5,
    }


def _call(args: argparse.Namespace) -> int:
    from ivr.sim.caller import ACCOUNT_SID, SimConfig, SimulationError, Simulator
    from ivr.tts.espeak import EspeakSynthesizer
    from ivr.tts.synth import SynthesisError

    server = load_section(ServerSettings)
    secrets = load_section(SecretSettings)
    config = SimConfig(
        base_url=(args.url or server.public_url).rstrip("/"),
        public_url=server.public_url,
        # The server's own token: the simulator signs its requests as Twilio would.
        auth_token=secrets.required_twilio_auth_token(),
        # A server with IVR_TWILIO_ACCOUNT_SID refuses streams of any other account.
        account_sid=server.twilio_account_sid or ACCOUNT_SID,
        api_token=secrets.api_token or None,
        caller=args.caller,
        called=args.called,
        voice=args.voice,
        rate=args.rate,
        snr_db=args.snr,
        # A noisy line is noisy between utterances too (at the level the noise will have
        # under a typical utterance; exact enough for trying the speech detector).
        line_noise_rms=None if args.snr is None else 3000 / 10 ** (args.snr / 20),
        agent_answers=args.agent,
    )
    try:
        # The caller's voice: espeak-ng per utterance, so a call can be replayed exactly.
        synth = EspeakSynthesizer()
    except SynthesisError as exc:
        print(f"ivr call: {exc}", file=sys.stderr)
        return 1
    sim = Simulator(config, synth=synth, echo=print)
    try:
        asyncio.run(sim.place_call(args.steps))
    except (SimulationError, SynthesisError, OSError) as exc:
        print(f"ivr call: {exc}", file=sys.stderr)
        return 1
    finally:
        synth.close()
    return 0


def _models_pull(name: str | None) -> int:
    from ivr.asr.errors import ModelDownloadError
    from ivr.asr.models import WHISPER_MODEL, pull_model, pull_whisper

    models_dir = load_section(SpeechSettings).models_dir
    whisper = name == WHISPER_MODEL
    try:
        path = pull_whisper(models_dir) if whisper else pull_model(name, models_dir)
    except ModelDownloadError as exc:
        print(f"ivr models pull: {exc}", file=sys.stderr)
        return 1
    variable = "IVR_WHISPER_MODEL" if whisper else "IVR_VOSK_MODEL"
    print(f"model ready: {path}\nuse it with: export {variable}={path.resolve()}")
    return 0


def _prompts_render() -> int:
    from ivr.grammar import GrammarError, load_grammar_dir
    from ivr.tts.cache import PromptCache
    from ivr.tts.synth import Pyttsx3Synthesizer

    speech = load_section(SpeechSettings)
    grammar_dir, audio_dir = speech.grammar_dir, speech.audio_dir
    try:
        gs = load_grammar_dir(grammar_dir)
    except GrammarError as exc:
        print(exc, file=sys.stderr)
        return 1
    synth, texts = Pyttsx3Synthesizer(timeout_s=speech.tts_timeout_s), gs.prompt_texts()
    try:
        cache = PromptCache(audio_dir, synth, voice=gs.voice or "gmw/en-us", rate=speech.tts_rate)
        rendered = cache.render_all(texts)
    finally:
        synth.close()
    print(f"{len(texts)} prompts ready in {audio_dir} ({rendered} rendered now)")
    return 0


def _db_seed() -> int:
    from ivr.store.db import make_engine
    from ivr.store.pin_keys import PinKeyError
    from ivr.store.pins import PinHasher
    from ivr.store.seed import seed_demo

    url = load_section(StoreSettings).database_url
    try:
        pins = PinHasher(load_section(SecretSettings).pin_keys())
    except PinKeyError as exc:
        print(f"ivr db seed: {exc}", file=sys.stderr)
        return 2
    seed_demo(make_engine(url), pins)  # upgrades the schema first
    print(f"demo customers loaded into {url}")
    return 0


def _db_upgrade() -> int:
    from ivr.store.db import make_engine
    from ivr.store.schema import upgrade_schema

    url = load_section(StoreSettings).database_url
    before, after = upgrade_schema(make_engine(url))
    if before == after:
        print(f"schema already at revision {after}: nothing to do")
    else:
        print(f"schema upgraded from revision {before or '(none)'} to {after}")
    return 0


def _grammar(args: argparse.Namespace) -> int:
    from ivr.cli.grammar import run_grammar

    return run_grammar(args)
