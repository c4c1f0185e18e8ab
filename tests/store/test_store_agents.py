"""Agent accounts: hashed passwords, server-side sessions that expire, sign-in lockout;
and the call-record side of the desk: taking a transfer, listing recent ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from ivr.store import Store
from ivr.store.agents import FREE_USERNAME_FAILURES, AgentExists, AgentStore, username_delay
from ivr.store.models import Agent, AgentSession
from tests.store.store_helpers import FakeClock

PASSWORD = "correct horse battery staple"
CHEAP_N = 2**10
IP = "192.0.2.10"


@pytest.fixture
def make_agents(store: Store, clock: FakeClock) -> Callable[..., AgentStore]:
    def build(**options: object) -> AgentStore:
        options.setdefault("clock", clock)
        options.setdefault("password_n", CHEAP_N)
        return AgentStore(store.engine, **options)  # type: ignore[arg-type]

    return build


@pytest.fixture
def agents(make_agents: Callable[..., AgentStore]) -> AgentStore:
    found = make_agents()
    found.add_agent("ada.agent", PASSWORD)
    return found


def test_agent_add_then_sign_in_opens_session(agents: AgentStore, clock: FakeClock) -> None:
    result = agents.sign_in("ada.agent", PASSWORD, IP)
    assert result.ok and result.token and result.session is not None
    assert result.session.username == "ada.agent"
    assert result.session.expires_at == clock.now + agents.session_ttl
    assert agents.session(result.token) == result.session


def test_agent_username_is_case_insensitive(agents: AgentStore) -> None:
    assert agents.sign_in("  Ada.Agent ", PASSWORD, IP).ok
    with pytest.raises(AgentExists):
        agents.add_agent("ADA.AGENT", PASSWORD)


@pytest.mark.parametrize(
    ("username", "password"),
    [("x", PASSWORD), ("bad name", PASSWORD), ("-dash", PASSWORD), ("bo", "short")],
)
def test_agent_add_bad_username_or_weak_password_refused(
    agents: AgentStore, username: str, password: str
) -> None:
    with pytest.raises(ValueError):
        agents.add_agent(username, password)


def test_agent_password_and_session_token_stored_only_as_hashes(
    agents: AgentStore, store: Store
) -> None:
    token = agents.sign_in("ada.agent", PASSWORD, IP).token
    assert token is not None
    with store.engine.connect() as conn:
        stored_hash = conn.scalar(select(Agent.password_hash))
        session_keys = list(conn.scalars(select(AgentSession.token_hash)))
    assert stored_hash is not None and stored_hash.startswith("scrypt$")
    assert PASSWORD not in stored_hash
    assert token not in session_keys and len(session_keys) == 1


def test_agent_session_expires_after_ttl(agents: AgentStore, clock: FakeClock) -> None:
    token = agents.sign_in("ada.agent", PASSWORD, IP).token
    assert token is not None
    clock.advance(seconds=agents.session_ttl.total_seconds() - 1)
    assert agents.session(token) is not None
    clock.advance(seconds=1)
    assert agents.session(token) is None


def test_agent_unknown_or_junk_token_no_session(agents: AgentStore) -> None:
    assert agents.session("not-a-token") is None
    assert agents.session("") is None
    assert agents.session("x" * 10_000) is None


def test_agent_sign_out_ends_session(agents: AgentStore) -> None:
    token = agents.sign_in("ada.agent", PASSWORD, IP).token
    assert token is not None
    agents.sign_out(token)
    assert agents.session(token) is None


def test_agent_wrong_password_no_session_not_locked(agents: AgentStore) -> None:
    result = agents.sign_in("ada.agent", "wrong password!", IP)
    assert not result.ok and result.token is None and result.locked_until is None


def test_agent_username_failures_slow_it_down_but_never_lock_out_the_right_password(
    agents: AgentStore, clock: FakeClock
) -> None:
    # Someone posts wrong passwords for ada.agent from addresses of their own.
    for i in range(FREE_USERNAME_FAILURES):
        result = agents.sign_in("ada.agent", "wrong password!", f"198.51.100.{i}")
        assert result.wait_until is None and result.locked_until is None
    agents.sign_in("ada.agent", "wrong password!", "198.51.100.50")
    # Now the next attempt waits a second, whoever makes it: refused unchecked ...
    early = agents.sign_in("ada.agent", PASSWORD, "203.0.113.7")
    assert not early.ok and early.wait_until == clock.now + timedelta(seconds=1)
    assert early.retry_after_s == 1 and early.locked_until is None
    # ... and after the wait the right password signs ada in.
    clock.advance(seconds=1)
    assert agents.sign_in("ada.agent", PASSWORD, "203.0.113.7").ok


def test_agent_username_waits_double_up_to_a_minute(agents: AgentStore, clock: FakeClock) -> None:
    waits = []
    for i in range(FREE_USERNAME_FAILURES + 9):
        agents.sign_in("ada.agent", "wrong password!", f"198.51.100.{i}")
        probe = agents.sign_in("ada.agent", "wrong password!", "198.51.100.200")
        waits.append(probe.retry_after_s if probe.wait_until else 0)
        clock.advance(seconds=probe.retry_after_s if probe.wait_until else 0)
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert username_delay(10**6) == timedelta(minutes=1)


def test_agent_attempts_during_a_wait_are_not_counted(agents: AgentStore, clock: FakeClock) -> None:
    for i in range(FREE_USERNAME_FAILURES + 1):
        agents.sign_in("ada.agent", "wrong password!", f"198.51.100.{i}")
    for _ in range(50):  # hammering during the wait changes nothing
        assert agents.sign_in("ada.agent", "wrong password!", "198.51.100.99").wait_until
    clock.advance(seconds=1)
    agents.sign_in("ada.agent", "wrong password!", "198.51.100.99")
    assert agents.sign_in("ada.agent", PASSWORD, IP).retry_after_s == 2  # the 5th failure


def test_agent_username_failures_forgotten_after_a_quiet_lockout_period(
    agents: AgentStore, clock: FakeClock
) -> None:
    for i in range(FREE_USERNAME_FAILURES + 1):
        agents.sign_in("ada.agent", "wrong password!", f"198.51.100.{i}")
    clock.advance(seconds=agents.lockout.total_seconds() + 1)
    for _ in range(FREE_USERNAME_FAILURES):
        agents.sign_in("ada.agent", "wrong password!", IP)
    # A fresh count: three failures are free again, so no wait before this attempt.
    assert agents.sign_in("ada.agent", PASSWORD, IP).ok


def test_agent_five_failures_from_one_ip_lock_every_username(
    agents: AgentStore, clock: FakeClock
) -> None:
    agents.add_agent("bo.agent", PASSWORD)
    results = [agents.sign_in(f"guess{i}", "wrong password!", IP) for i in range(5)]
    assert [r.locked_until for r in results[:4]] == [None] * 4
    assert results[4].locked_until == clock.now + agents.lockout
    refused = agents.sign_in("bo.agent", PASSWORD, IP)
    assert not refused.ok and refused.locked_until is not None
    assert refused.retry_after_s == agents.lockout.total_seconds()
    assert agents.sign_in("bo.agent", PASSWORD, "203.0.113.7").ok


def test_agent_address_lockout_over_allows_sign_in_and_fresh_count(
    agents: AgentStore, clock: FakeClock
) -> None:
    for i in range(agents.max_failures):
        agents.sign_in(f"guess{i}", "wrong password!", IP)
    clock.advance(seconds=agents.lockout.total_seconds())
    assert agents.sign_in("guess", "wrong password!", IP).locked_until is None
    assert agents.sign_in("ada.agent", PASSWORD, IP).ok


def test_agent_failures_further_apart_than_lockout_never_lock(
    agents: AgentStore, clock: FakeClock
) -> None:
    for _ in range(agents.max_failures * 2):
        result = agents.sign_in("ada.agent", "wrong password!", IP)
        assert result.locked_until is None and result.wait_until is None
        clock.advance(seconds=agents.lockout.total_seconds() + 1)


def test_agent_success_resets_failure_counts(agents: AgentStore, clock: FakeClock) -> None:
    for _ in range(agents.max_failures - 1):
        agents.sign_in("ada.agent", "wrong password!", IP)
    clock.advance(minutes=1)  # past the username's wait
    assert agents.sign_in("ada.agent", PASSWORD, IP).ok
    for _ in range(FREE_USERNAME_FAILURES):
        result = agents.sign_in("ada.agent", "wrong password!", IP)
        assert result.locked_until is None and result.wait_until is None


def test_agent_limits_survive_a_restart(
    make_agents: Callable[..., AgentStore], agents: AgentStore
) -> None:
    for i in range(agents.max_failures):
        agents.sign_in(f"guess{i}", "wrong password!", IP)
    for i in range(FREE_USERNAME_FAILURES + 1):
        agents.sign_in("ada.agent", "wrong password!", f"198.51.100.{i}")
    restarted = make_agents()
    assert restarted.sign_in("ada.agent", PASSWORD, IP).locked_until is not None
    assert restarted.sign_in("ada.agent", PASSWORD, "203.0.113.7").wait_until is not None


def test_agent_set_password_ends_sessions_and_changes_password(agents: AgentStore) -> None:
    token = agents.sign_in("ada.agent", PASSWORD, IP).token
    assert token is not None
    assert agents.set_password("ada.agent", "a brand new passphrase")
    assert agents.session(token) is None
    assert not agents.sign_in("ada.agent", PASSWORD, IP).ok
    assert agents.sign_in("ada.agent", "a brand new passphrase", IP).ok
    assert not agents.set_password("nobody", "a brand new passphrase")


def test_agent_store_bad_limits_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        AgentStore(store.engine, max_failures=0)
    with pytest.raises(ValueError):
        AgentStore(store.engine, lockout=timedelta(0))


def _transferred(store: Store, call_sid: str) -> None:
    store.start_call(call_sid, "+14155550100", "+15005550006")
    store.record_transfer(call_sid, "caller_request", False, {"caller": "+14155550100"})


def test_store_take_call_first_agent_wins(store: Store) -> None:
    sid = "CA" + "1" * 32
    _transferred(store, sid)
    assert store.take_call(sid, "ada.agent") == "ada.agent"
    assert store.take_call(sid, "bo.agent") == "ada.agent"
    record = store.get_call(sid)
    assert record is not None and record["taken_by"] == "ada.agent"


def test_store_take_call_unknown_or_not_transferred_none(store: Store) -> None:
    store.start_call("CA" + "2" * 32, "+14155550100", "+15005550006")
    assert store.take_call("CA" + "2" * 32, "ada.agent") is None
    assert store.take_call("CA" + "3" * 32, "ada.agent") is None


def test_store_recent_transfers_newest_first(store: Store, clock: FakeClock) -> None:
    sids = [f"CA{i:032d}" for i in range(3)]
    for sid in sids:
        _transferred(store, sid)
        clock.advance(seconds=1)
    store.start_call("CA" + "9" * 32, "+14155550100", "+15005550006")  # never transferred
    assert store.recent_transfers() == sids[::-1]
    assert store.recent_transfers(limit=2) == sids[:0:-1]
    with pytest.raises(ValueError):
        store.recent_transfers(limit=0)
