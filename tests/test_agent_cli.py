"""``ivr agents add`` / ``passwd``: accounts for the agent desk, passwords never in argv."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.store.agents import AgentStore
from ivr.store.repo import Store

PASSWORD = "correct horse battery staple"


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'ivr.db'}"
    monkeypatch.setenv("IVR_DATABASE_URL", url)
    return url


def agents_at(url: str) -> AgentStore:
    return AgentStore(Store.from_url(url).engine)


def test_cli_agents_add_password_stdin_creates_agent(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["agents", "add", "Grace", "--password-stdin"]) == 0
    assert "agent 'grace' created" in capsys.readouterr().out
    assert agents_at(db_url).sign_in("grace", PASSWORD, "127.0.0.1").ok


def test_cli_agents_add_prompts_twice_without_echo(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return PASSWORD

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    assert main(["agents", "add", "grace"]) == 0
    assert prompts == ["Password: ", "Repeat password: "]
    assert agents_at(db_url).sign_in("grace", PASSWORD, "127.0.0.1").ok


def test_cli_agents_add_mismatched_prompts_fails(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["agents", "add", "grace"]) == 1
    assert "differ" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["agents", "add", "grace"], "short\n", "at least 10 characters"),
        (["agents", "add", "no spaces"], PASSWORD + "\n", "a username is"),
        (["agents", "passwd", "nobody"], PASSWORD + "\n", "no agent 'nobody'"),
    ],
)
def test_cli_agents_refusals_exit_1_with_reason(
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main([*argv, "--password-stdin"]) == 1
    assert message in capsys.readouterr().err


def test_cli_agents_add_existing_fails_passwd_changes_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["agents", "add", "grace", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["agents", "add", "grace", "--password-stdin"]) == 1
    assert "already exists" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("another long passphrase\n"))
    assert main(["agents", "passwd", "grace", "--password-stdin"]) == 0
    assert agents_at(db_url).sign_in("grace", "another long passphrase", "127.0.0.1").ok
