"""The app's long-lived services, built once per process by :func:`build_services`."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ivr.asr.base import SpeechEngine
from ivr.asr.select import load_engine, plan_engine
from ivr.call.session import CallDeps
from ivr.dialog.context import DialogContext
from ivr.dialog.policy import DialogPolicy
from ivr.dialog_adapters import SnapshotGrammar, StoreBackend
from ivr.grammar import GrammarSet, Issue
from ivr.grammar.check import check_grammar_set
from ivr.grammar_registry import GrammarRegistry, GrammarSnapshot
from ivr.settings import Settings
from ivr.store.agents import AgentStore
from ivr.store.db import create_schema
from ivr.store.pins import PinHasher
from ivr.store.repo import Store
from ivr.tts.cache import PromptCache
from ivr.tts.synth import Pyttsx3Synthesizer, Synthesizer
from ivr.web.agent.feed import TransferFeed
from ivr.web.agent.signin_gate import SignInGate

log = logging.getLogger("ivr")


@dataclass
class Services:
    """Everything the routes and call sessions share: one model, one store, one cache."""

    settings: Settings
    engine: SpeechEngine
    engine_reason: str
    grammars: GrammarRegistry
    prompts: PromptCache
    store: Store
    policy: DialogPolicy
    executor: ThreadPoolExecutor
    agents: AgentStore
    """Agent desk accounts, sessions and sign-in lockout (same database as ``store``)."""
    signin: SignInGate
    """Password checks: their own bounded threads and a global rate, apart from calls."""
    live_calls: set[Any] = field(default_factory=set)
    feed: TransferFeed = field(default_factory=TransferFeed)
    """Tells open agent desks the moment a transfer is recorded, taken or noted."""

    def dialog_context(self) -> DialogContext:
        """Dialog context over the grammars in force right now (hot reload between turns)."""
        return DialogContext(grammar=SnapshotGrammar(self.grammars.snapshot()), policy=self.policy)

    def call_deps(self) -> CallDeps:
        """What a new call session needs."""
        return CallDeps(
            engine=self.engine,
            grammars=self.grammars,
            prompts=self.prompts,
            recorder=self.store,
            backend=StoreBackend(self.store),
            context=self.dialog_context,
            executor=self.executor,
            on_transfer=self.feed.transfer_recorded,
            account_sid=self.settings.twilio_account_sid,
        )

    def close(self) -> None:
        """Release threads and worker processes."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.signin.close()
        close = getattr(self.prompts.synth, "close", None)
        if callable(close):
            close()


def dialog_policy(settings: Settings) -> DialogPolicy:
    """The escalation and confirmation policy the settings ask for."""
    return DialogPolicy(
        confirm_below=settings.confirm_below,
        reject_below=settings.reject_below,
        max_consecutive_failures=settings.max_consecutive_failures,
        max_total_failures=settings.max_total_failures,
        no_input_ms=settings.no_input_ms,
    )


def build_services(
    settings: Settings,
    *,
    engine: SpeechEngine | None = None,
    synth: Synthesizer | None = None,
) -> Services:
    """Load grammars, the speech model, the store and the prompt cache; render every static
    prompt so the first caller hears no synthesis delay."""
    plan = plan_engine(settings.asr, settings.vosk_model, settings.models_dir)
    if engine is None:
        engine = load_engine(plan)
        reason = plan.reason
    else:
        reason = f"{engine.name} (injected)"
    log.info("speech engine: %s", reason)
    store = Store.from_url(
        settings.database_url,
        max_pin_failures=settings.max_pin_failures,
        lockout_minutes=settings.lockout_minutes,
        pins=PinHasher(settings.pin_keys()),
    )
    create_schema(store.engine)
    prompts_holder: list[PromptCache] = []

    def render_new_prompts(snapshot: GrammarSnapshot) -> None:
        # Prompts changed by an edit are rendered before the edit goes live.
        if prompts_holder:
            gs = snapshot.grammar_set
            prompts_holder[0].render_all(gs.prompt_texts(), voice=gs.voice)

    def validate(gs: GrammarSet) -> list[Issue]:
        # What loading cannot see: menus the dialog needs, message placeholders, and words
        # this engine cannot hear (it would fail every recognition in that menu).
        return check_grammar_set(gs, [engine])

    grammars = GrammarRegistry(
        settings.grammar_dir, on_change=render_new_prompts, validate=validate
    )
    gs = grammars.snapshot().grammar_set
    prompts = PromptCache(
        settings.audio_dir,
        synth or Pyttsx3Synthesizer(),
        voice=gs.voice or "gmw/en-us",
        rate=settings.tts_rate,
    )
    prompts_holder.append(prompts)
    rendered = prompts.render_all(gs.prompt_texts())
    log.info("prompts ready (%d rendered now)", rendered)
    return Services(
        settings=settings,
        engine=engine,
        engine_reason=reason,
        grammars=grammars,
        prompts=prompts,
        store=store,
        policy=dialog_policy(settings),
        executor=ThreadPoolExecutor(max_workers=4, thread_name_prefix="asr"),
        agents=AgentStore(store.engine),
        signin=SignInGate(per_minute=settings.signin_per_minute, workers=settings.signin_workers),
    )
