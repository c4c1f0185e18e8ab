"""The app's long-lived services, built once per process by :func:`build_services`."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from ivr.app.adapters import SnapshotGrammar, StoreBackend
from ivr.app.grammar_registry import GrammarRegistry, GrammarSnapshot
from ivr.asr.base import SpeechEngine
from ivr.asr.errors import EngineError
from ivr.asr.select import load_engine, plan_engine
from ivr.asr.whisper_engine import WhisperEngine
from ivr.bus.desk_relay import relay_desk_events
from ivr.bus.grammar_sync import CHANNEL as GRAMMAR_CHANNEL
from ivr.bus.grammar_sync import GrammarSync
from ivr.bus.redis_bus import RedisBus
from ivr.call.session import CallDeps
from ivr.desk.feed import TransferFeed
from ivr.desk.signin_gate import SignInGate
from ivr.dialog.context import DialogContext
from ivr.dialog.messages import DEFAULTS, render
from ivr.dialog.policy import DialogPolicy, FrustrationLimits
from ivr.grammar import GrammarSet, Issue
from ivr.grammar.check import check_grammar_set
from ivr.recognition.freepass import FreePass
from ivr.settings import Settings
from ivr.store.agents import AgentStore
from ivr.store.pins import PinHasher
from ivr.store.recordings import RecordingStore
from ivr.store.repo import Store, utcnow
from ivr.tts.cache import PromptCache
from ivr.tts.synth import Pyttsx3Synthesizer, Synthesizer

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
    free_pass: FreePass | None = None
    """The free-form second pass, when enabled and installed."""
    free_executor: ThreadPoolExecutor | None = None
    recordings: RecordingStore | None = None
    """Kept recordings of not-understood turns (``IVR_RECORD_UTTERANCES=on``), else None."""
    live_calls: set[Any] = field(default_factory=set)
    feed: TransferFeed = field(default_factory=TransferFeed)
    """Tells open agent desks the moment a transfer is recorded, taken or noted."""
    instance: str = "local"
    """This instance's name (``IVR_INSTANCE_ID``), recorded with each call it streams."""
    bus: RedisBus | None = None
    """The link to the other instances (``IVR_REDIS_URL``), else None."""
    grammar_sync: GrammarSync | None = None
    """Sends live grammar edits to the other instances and applies theirs."""
    draining: bool = False
    """Set on SIGTERM: no new calls, streams or desks here; the live calls finish."""

    def share_with_other_instances(self) -> None:
        """Wire the desk feed and grammar edits to ``bus`` (call once, when it is set)."""
        if self.bus is None:
            return
        relay_desk_events(self.feed, self.bus)
        self.grammar_sync = GrammarSync(self.grammars, self.bus)
        self.bus.on(GRAMMAR_CHANNEL, self.grammar_sync.receive)

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
            free_pass=self.free_pass,
            free_executor=self.free_executor,
            keep_recording=self.recordings.keep if self.recordings is not None else None,
            instance=self.instance,
        )

    def close(self) -> None:
        """Release threads and worker processes."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.free_executor is not None:
            self.free_executor.shutdown(wait=False, cancel_futures=True)
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
        frustration=FrustrationLimits(
            anger_turns=settings.frustration_anger_turns,
            agent_requests=settings.frustration_agent_requests,
            zero_presses=settings.frustration_zero_presses,
        ),
    )


def load_free_pass(settings: Settings, language: str) -> FreePass | None:
    """The second pass the settings ask for; None when off or (``auto``) not installed."""
    if settings.second_pass == "off":
        return None
    if language != "en":
        # Whisper tiny.en hears English only; another language's calls keep the grammar pass.
        if settings.second_pass == "on":
            log.warning("second pass: off for '%s' grammars (the model is English)", language)
        return None
    workers, context_s = settings.whisper_workers, settings.whisper_context_s
    try:
        engine = WhisperEngine(settings.whisper_model, workers=workers, context_s=context_s)
    except EngineError as exc:
        if settings.second_pass == "on":
            raise
        log.warning("second pass: off (%s)", exc)
        return None
    log.info("second pass: %s", engine.describe())
    return FreePass(engine, settings.whisper_digits_context_s, settings.rehear_speed)


def build_services(
    settings: Settings,
    *,
    engine: SpeechEngine | None = None,
    synth: Synthesizer | None = None,
    free_pass: FreePass | Literal["load"] | None = "load",
) -> Services:
    """Load grammars, the speech model, the store and the prompt cache; render every static
    prompt so the first caller hears no synthesis delay."""
    engine, reason = _speech_engine(settings, engine)
    store = Store.from_url(  # refuses a database whose schema is older than this code
        settings.database_url,
        max_pin_failures=settings.max_pin_failures,
        lockout_minutes=settings.lockout_minutes,
        pins=PinHasher(settings.pin_keys()),
    )
    grammars, prompts = _grammars_and_prompts(settings, engine, synth)
    if free_pass == "load":
        free_pass = load_free_pass(settings, grammars.snapshot().grammar_set.language)
    instance = settings.instance_name()
    services = Services(
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
        free_pass=free_pass,
        free_executor=_free_executor(settings) if free_pass is not None else None,
        recordings=recording_store(settings, store),
        instance=instance,
        bus=RedisBus(settings.redis_url, instance) if settings.redis_url else None,
    )
    services.share_with_other_instances()
    return services


def _grammars_and_prompts(
    settings: Settings, engine: SpeechEngine, synth: Synthesizer | None
) -> tuple[GrammarRegistry, PromptCache]:
    """The live grammars, checked against ``engine``, and their prompts rendered; an
    edit's new prompts are rendered before the edit goes live."""
    prompts_holder: list[PromptCache] = []

    def render_new_prompts(snapshot: GrammarSnapshot) -> None:
        if prompts_holder:
            gs = snapshot.grammar_set
            prompts_holder[0].render_all(spoken_texts(snapshot), voice=gs.voice)

    def validate(gs: GrammarSet) -> list[Issue]:
        # What loading cannot see: menus the dialog needs, message placeholders, and words
        # this engine cannot hear (it would fail every recognition in that menu).
        return check_grammar_set(gs, [engine])

    grammars = GrammarRegistry(
        settings.grammar_dir, on_change=render_new_prompts, validate=validate
    )
    prompts = PromptCache(
        settings.audio_dir,
        synth or Pyttsx3Synthesizer(timeout_s=settings.tts_timeout_s),
        voice=grammars.snapshot().grammar_set.voice or "gmw/en-us",
        rate=settings.tts_rate,
    )
    prompts_holder.append(prompts)
    rendered = prompts.render_all(spoken_texts(grammars.snapshot()))
    log.info("prompts ready (%d rendered now)", rendered)
    return grammars, prompts


def _speech_engine(settings: Settings, engine: SpeechEngine | None) -> tuple[SpeechEngine, str]:
    """The grammar-pass engine the settings ask for (or the one given), and why."""
    if engine is None:
        plan = plan_engine(settings.asr, settings.vosk_model, settings.models_dir)
        engine, reason = load_engine(plan), plan.reason
    else:
        reason = f"{engine.name} (injected)"
    log.info("speech engine: %s", reason)
    return engine, reason


def _free_executor(settings: Settings) -> ThreadPoolExecutor:
    """The free-form pass's own threads, so it can never starve grammar decoding."""
    return ThreadPoolExecutor(max_workers=settings.whisper_workers, thread_name_prefix="free-pass")


def spoken_texts(snapshot: GrammarSnapshot) -> list[str]:
    """Every sentence callers can hear that is the same for every caller: the menus'
    prompts, the dialog's fixed messages, and each intent's "did you say …?" — rendered
    before the first call, so no caller waits for speech synthesis (a confirmation rendered
    on first use cost its caller ~0.3 s; bench speech-latency)."""
    gs = snapshot.grammar_set
    grammar = SnapshotGrammar(snapshot)
    ctx = DialogContext(grammar=grammar, policy=DialogPolicy())
    texts = dict.fromkeys(gs.prompt_texts())
    for key, default in DEFAULTS.items():
        # Summaries are read to agents by Twilio's <Say>, not played from our audio.
        if "{" not in default and not key.startswith("summary_"):
            texts.setdefault(render(ctx, key), None)
    for menu in gs.menus.values():
        for intent in menu.intents:
            if intent.confirm:
                texts.setdefault(render(ctx, "confirm_question", phrase=intent.confirm), None)
    return list(texts)


def recording_store(settings: Settings, store: Store) -> RecordingStore | None:
    """Where not-understood turns are kept, when the settings ask for it."""
    if not settings.record_utterances:
        return None
    log.info(
        "recording not-understood turns to %s for %d days",
        settings.recording_dir,
        settings.recording_retention_days,
    )
    return RecordingStore(
        store.engine, settings.recording_dir, settings.recording_retention_days, utcnow
    )
