"""Settings: IVR_* variables validated at start-up with messages naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from ivr.app.services import dialog_policy
from ivr.dialog.policy import FrustrationLimits
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
from ivr.store.pin_keys import PinKeyError

REQUIRED = {
    "twilio_auth_token": "tok-123456",
    "api_token": "api-123456",
    "pin_key": "pin-key-0123456789abcdef0123456789",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the environment: start each test from none of ours."""
    import os

    for name in list(os.environ):
        if name.startswith("IVR_"):
            monkeypatch.delenv(name)


def test_settings_read_from_ivr_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_PORT", "9090")
    monkeypatch.setenv("IVR_PUBLIC_URL", "https://ivr.example.com/")
    monkeypatch.setenv("IVR_ASR", "vosk")
    s = load_settings(**REQUIRED)
    assert s.port == 9090
    assert s.public_url == "https://ivr.example.com"
    assert s.media_url == "wss://ivr.example.com/twilio/media"
    assert s.asr == "vosk"
    assert s.twilio_validate is True


def test_settings_http_public_url_gives_ws_media_url() -> None:
    s = load_settings(public_url="http://127.0.0.1:8080", **REQUIRED)
    assert s.media_url == "ws://127.0.0.1:8080/twilio/media"
    assert s.url("/twilio/voice") == "http://127.0.0.1:8080/twilio/voice"


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("IVR_PORT", "eighty", "IVR_PORT"),
        ("IVR_PORT", "70000", "IVR_PORT"),
        ("IVR_ASR", "whisper", "IVR_ASR"),
        ("IVR_PUBLIC_URL", "ivr.example.com", "IVR_PUBLIC_URL"),
        ("IVR_PUBLIC_URL", "https://ivr.example.com/?x=1", "query"),
        ("IVR_TWILIO_VALIDATE", "maybe", "IVR_TWILIO_VALIDATE"),
        ("IVR_REDIS_URL", "localhost:6379", "IVR_REDIS_URL"),
        ("IVR_INSTANCE_ID", "ivr a/b", "IVR_INSTANCE_ID"),
        ("IVR_WORKERS", "0", "IVR_WORKERS"),
    ],
)
def test_settings_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, needle: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError, match=needle):
        load_settings(**REQUIRED)


def test_settings_missing_auth_token_is_refused_while_validating() -> None:
    with pytest.raises(SettingsError, match="IVR_TWILIO_AUTH_TOKEN"):
        load_settings(api_token="api-123456")


def test_settings_missing_api_token_is_refused() -> None:
    with pytest.raises(SettingsError, match="IVR_API_TOKEN"):
        load_settings(twilio_auth_token="tok-123456")


def test_settings_placeholder_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="IVR_TWILIO_AUTH_TOKEN"):
        load_settings(twilio_auth_token="changeme", api_token="api-123456")


def test_settings_forwarded_headers_trusted_from_no_proxy_by_default() -> None:
    assert load_settings(**REQUIRED).forwarded_allow_ips == ""
    s = load_settings(forwarded_allow_ips=" 10.0.0.5, 192.168.0.0/16 ,", **REQUIRED)
    assert s.forwarded_allow_ips == "10.0.0.5,192.168.0.0/16"
    assert load_settings(forwarded_allow_ips="*", **REQUIRED).forwarded_allow_ips == "*"


def test_settings_forwarded_allow_ips_not_an_address_names_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"IVR_FORWARDED_ALLOW_IPS: .*'proxy\.local'"):
        load_settings(forwarded_allow_ips="10.0.0.5,proxy.local", **REQUIRED)


def test_settings_log_level_must_be_a_level_name() -> None:
    assert load_settings(log_level="debug", **REQUIRED).log_level == "DEBUG"
    with pytest.raises(SettingsError, match="IVR_LOG_LEVEL"):
        load_settings(log_level="TRACE", **REQUIRED)


def test_settings_pin_key_required_and_never_shown() -> None:
    without = {k: v for k, v in REQUIRED.items() if k != "pin_key"}
    with pytest.raises(SettingsError, match="IVR_PIN_KEY or IVR_PIN_KEY_FILE is required"):
        load_settings(**without)
    with pytest.raises(SettingsError, match="shorter than 32 characters"):
        load_settings(**without, pin_key="too-short")
    s = load_settings(**REQUIRED)
    assert s.pin_keys().current.secret == REQUIRED["pin_key"].encode()
    assert REQUIRED["pin_key"] not in repr(s)


def test_settings_pin_key_file_read_and_checked(tmp_path: Path) -> None:
    without = {k: v for k, v in REQUIRED.items() if k != "pin_key"}
    path = tmp_path / "pin.keys"
    path.write_text(
        "new-pin-key-0123456789abcdef0123456789\nold-pin-key-0123456789abcdef0123456789\n"
    )
    path.chmod(0o640)
    with pytest.raises(SettingsError, match="chmod 600"):
        load_settings(**without, pin_key_file=path)
    path.chmod(0o600)
    ring = load_settings(**without, pin_key_file=path).pin_keys()
    assert len(ring.previous) == 1


def test_settings_sections_load_without_the_servers_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IVR_DATABASE_URL", "sqlite:///var/other.db")
    monkeypatch.setenv("IVR_GRAMMAR_DIR", "grammars/ko")
    assert load_section(StoreSettings).database_url == "sqlite:///var/other.db"
    assert load_section(SpeechSettings).grammar_dir == Path("grammars/ko")
    assert load_section(ServerSettings).media_url == "ws://127.0.0.1:8080/twilio/media"
    with pytest.raises(SettingsError, match="IVR_TWILIO_AUTH_TOKEN is required"):
        load_settings()  # the whole server does need them


def test_settings_a_section_still_validates_its_own_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IVR_LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError, match="IVR_LOG_LEVEL"):
        load_section(LogSettings)
    monkeypatch.setenv("IVR_PUBLIC_URL", "ivr.example.com")
    with pytest.raises(SettingsError, match="IVR_PUBLIC_URL"):
        load_section(ServerSettings)


def test_settings_secrets_are_asked_for_by_the_command_that_needs_them() -> None:
    secrets = load_section(SecretSettings)
    with pytest.raises(SettingsError, match="IVR_TWILIO_AUTH_TOKEN is required"):
        secrets.required_twilio_auth_token()
    with pytest.raises(PinKeyError, match="IVR_PIN_KEY"):
        secrets.pin_keys()
    token = load_section(SecretSettings, twilio_auth_token="tok-123456")
    assert token.required_twilio_auth_token() == "tok-123456"


def test_settings_every_field_belongs_to_exactly_one_section() -> None:
    sections: list[type[BaseSettings]] = [
        ServerSettings,
        SpeechSettings,
        StoreSettings,
        SecretSettings,
        LogSettings,
    ]
    names = [name for section in sections for name in section.model_fields]
    assert len(names) == len(set(names))
    assert set(names) == set(Settings.model_fields)


def test_settings_several_workers_on_sqlite_are_refused_naming_the_fix() -> None:
    with pytest.raises(SettingsError, match=r"SQLite serves one process.*IVR_DATABASE_URL"):
        load_settings(workers=2, **REQUIRED)
    shared = load_settings(workers=2, database_url="postgresql+psycopg://db/ivr", **REQUIRED)
    assert shared.workers == 2


def test_settings_instance_name_is_the_id_or_host_and_pid() -> None:
    import os

    assert load_settings(instance_id="ivr-a", **REQUIRED).instance_name() == "ivr-a"
    several = load_settings(
        instance_id="ivr-a", workers=2, database_url="postgresql+psycopg://db/ivr", **REQUIRED
    )
    assert several.instance_name() == f"ivr-a:{os.getpid()}"
    assert load_settings(**REQUIRED).instance_name().endswith(f":{os.getpid()}")


def test_settings_frustration_limits_reach_the_dialog_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IVR_FRUSTRATION_ANGER_TURNS", "0")
    monkeypatch.setenv("IVR_FRUSTRATION_ZERO_PRESSES", "3")
    policy = dialog_policy(load_settings(**REQUIRED))
    assert policy.frustration == FrustrationLimits(anger_turns=0, agent_requests=2, zero_presses=3)
    monkeypatch.setenv("IVR_FRUSTRATION_AGENT_REQUESTS", "-1")
    with pytest.raises(SettingsError, match="IVR_FRUSTRATION_AGENT_REQUESTS"):
        load_settings(**REQUIRED)
