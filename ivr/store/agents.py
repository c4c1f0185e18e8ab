"""Agent accounts for the agent desk: passwords, server-side sessions, sign-in lockout.

Sessions live in the database (not in a signed cookie) so signing out, changing a
password or an expiry really ends them, and any server process sees the same ones. The
cookie carries a random token; the table keeps only its SHA-256.

Failed sign-ins are counted per client address and per username in the database, like
the PIN lockout: a restart does not reset them, and several server processes share them.

* Per address: ``max_failures`` failures, each within ``lockout`` of the previous one,
  lock that address for ``lockout``; while locked, the password is not even checked.
* Per username: a slowdown, not a lock — anyone can post five wrong passwords for a
  colleague's name, and that must not keep the colleague out for a quarter of an hour.
  After ``FREE_USERNAME_FAILURES`` failures each further one makes the next attempt wait
  (1 s, 2 s, 4 s … at most ``USERNAME_DELAY_CAP``); an attempt during the wait is refused
  unchecked, and the right password after it signs in, however many failures came before.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ivr.store import passwords
from ivr.store.db import session_factory, transaction, writer
from ivr.store.errors import StoreError
from ivr.store.models import Agent, AgentSession, LoginFailure
from ivr.store.repo import utcnow

log = logging.getLogger(__name__)

SESSION_TTL = timedelta(hours=8)
"""A shift: the desk asks for the password again the next day."""
MAX_FAILURES = 5
"""Failed sign-ins from one client address that lock it."""
LOCKOUT = timedelta(minutes=15)
"""How long an address stays locked; also how long a failure is remembered."""
FREE_USERNAME_FAILURES = 3
"""Failed sign-ins for one username before each further one costs a wait."""
USERNAME_DELAY_BASE = timedelta(seconds=1)
USERNAME_DELAY_CAP = timedelta(minutes=1)
"""An attacker guessing one agent's password gets about one guess a minute; the agent
waits at most a minute for a turn."""
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AgentExists(Exception):
    """``add_agent`` for a username that is already taken."""


@dataclass(frozen=True)
class AgentSessionView:
    """A valid session: who is signed in, the token their forms carry, when it ends."""

    username: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt."""

    token: str | None = None
    """The session cookie's value, on success only."""
    session: AgentSessionView | None = None
    locked_until: datetime | None = None
    """Set when the client's address is locked (before or because of this attempt)."""
    wait_until: datetime | None = None
    """Set when this username must wait before its next attempt: this one was refused
    unchecked."""
    retry_after_s: int = 0
    """Whole seconds until the lock or the wait that refused this attempt is over."""

    @property
    def ok(self) -> bool:
        """Whether the agent is now signed in."""
        return self.session is not None


def normalize_username(username: str) -> str:
    """Usernames are case-insensitive: stored and compared in lower case."""
    return username.strip().lower()


def check_username(username: str) -> str | None:
    """Why ``username`` cannot name an agent, or None when it can."""
    if not USERNAME_RE.fullmatch(username):
        return (
            "a username is 2-64 characters (a-z, 0-9, '.', '_', '-'), "
            "starting with a letter or digit"
        )
    return None


def username_delay(failures: int) -> timedelta:
    """The wait a username's ``failures``-th failure in a row imposes on its next attempt."""
    extra = failures - FREE_USERNAME_FAILURES
    if extra <= 0:
        return timedelta(0)
    # The exponent is capped first, so the number stays small however many failures pile up.
    return min(USERNAME_DELAY_CAP, USERNAME_DELAY_BASE * (1 << min(extra - 1, 16)))


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AgentStore:
    """Agents, their sessions and the sign-in lockout, over the store's engine.

    ``password_n`` is scrypt's cost for new hashes (tests lower it); ``clock`` must return
    aware UTC datetimes.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utcnow,
        session_ttl: timedelta = SESSION_TTL,
        max_failures: int = MAX_FAILURES,
        lockout: timedelta = LOCKOUT,
        password_n: int = passwords.N,
    ) -> None:
        if max_failures < 1 or lockout <= timedelta(0) or session_ttl <= timedelta(0):
            raise ValueError("max_failures, lockout and session_ttl must be positive")
        self._clock = clock
        self.session_ttl = session_ttl
        self.max_failures = max_failures
        self.lockout = lockout
        self._password_n = password_n
        self._dummy_hash = passwords.dummy_hash(password_n)
        self._read = session_factory(engine)
        self._write = session_factory(writer(engine))

    def _tx(self, operation: str, *, write: bool = False) -> AbstractContextManager[Session]:
        """One transaction on the writer (``write``) or reader engine."""
        return transaction(self._write if write else self._read, operation)

    # -- accounts ----------------------------------------------------------------------

    def add_agent(self, username: str, password: str) -> str:
        """Create an agent; returns the normalized username. ValueError for a bad username
        or weak password, AgentExists if taken."""
        name = normalize_username(username)
        problem = check_username(name)
        if problem is not None:
            raise ValueError(problem)
        password_hash = passwords.hash_password(password, n=self._password_n)
        try:
            with self._tx("add_agent", write=True) as session:
                if session.get(Agent, name) is not None:
                    raise AgentExists(f"agent {name!r} already exists")
                agent = Agent(username=name, password_hash=password_hash, created_at=self._clock())
                session.add(agent)
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):  # created concurrently
                raise AgentExists(f"agent {name!r} already exists") from None
            raise
        return name

    def set_password(self, username: str, password: str) -> bool:
        """Change an agent's password and end their sessions; False if there is no such agent."""
        name = normalize_username(username)
        password_hash = passwords.hash_password(password, n=self._password_n)
        with self._tx("set_password", write=True) as session:
            agent = session.get(Agent, name)
            if agent is None:
                return False
            agent.password_hash = password_hash
            session.execute(delete(AgentSession).where(AgentSession.username == name))
            session.execute(delete(LoginFailure).where(LoginFailure.key == f"user:{name}"))
        return True

    # -- signing in --------------------------------------------------------------------

    def sign_in(self, username: str, password: str, client: str) -> SignIn:
        """Check a username and password from ``client`` (its address, see
        :func:`ivr.web.client_address.client_key`); on success open a session.

        Two short transactions around the scrypt check (which takes a few hundred
        milliseconds and must not hold SQLite's write lock): check the limits and fetch
        the hash, compare outside, then re-check and count or open the session.
        """
        name = normalize_username(username)[:64]
        user_key, ip_key = f"user:{name}", f"ip:{client.strip() or 'unknown'}"[:120]
        now = self._clock()
        with self._tx("sign_in") as session:
            refused = self._refusal(session, user_key, ip_key, now)
            if refused is not None:
                return refused
            agent = session.get(Agent, name)
            stored_hash = agent.password_hash if agent is not None else None
        # Unknown names cost a full hash too, so timing does not reveal who exists.
        matched = passwords.verify_password(password, stored_hash or self._dummy_hash)
        matched = matched and stored_hash is not None

        with self._tx("sign_in", write=True) as session:
            refused = self._refusal(session, user_key, ip_key, now)
            if refused is not None:
                return refused  # another attempt set a limit meanwhile
            agent = session.get(Agent, name)
            if agent is not None and agent.password_hash != stored_hash:
                matched = False  # the password changed meanwhile: sign in again
            if matched:
                session.execute(
                    delete(LoginFailure).where(LoginFailure.key.in_([user_key, ip_key]))
                )
                return self._open_session(session, name, now)
            locked = self._count_address_failure(session, ip_key, now)
            self._count_username_failure(session, user_key, now)
        if locked is not None:
            log.warning("agent sign-in locked for this client address until %s", locked.isoformat())
            return SignIn(locked_until=locked, retry_after_s=_seconds(locked - now))
        return SignIn()

    @staticmethod
    def _refusal(session: Session, user_key: str, ip_key: str, now: datetime) -> SignIn | None:
        """Why an attempt is refused unchecked right now, if it is."""
        address = session.get(LoginFailure, ip_key)
        if address is not None and address.locked_until is not None and address.locked_until > now:
            return SignIn(
                locked_until=address.locked_until,
                retry_after_s=_seconds(address.locked_until - now),
            )
        user = session.get(LoginFailure, user_key)
        if user is not None and user.locked_until is not None and user.locked_until > now:
            return SignIn(
                wait_until=user.locked_until, retry_after_s=_seconds(user.locked_until - now)
            )
        return None

    def _forget_stale(self, session: Session, now: datetime) -> None:
        # Rows that can no longer limit anybody are dropped, so made-up usernames do not
        # pile up.
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.last_failure_at < now - self.lockout,
                or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until <= now),
            )
        )

    def _count_address_failure(self, session: Session, key: str, now: datetime) -> datetime | None:
        """Count one failure from a client address; when the address is now locked."""
        self._forget_stale(session, now)
        row = self._failure_row(session, key, now)
        if row.last_failure_at < now - self.lockout or (
            row.locked_until is not None and row.locked_until <= now
        ):
            # The previous failure is old, or its lockout is over: a fresh count.
            row.failures = 0
            row.locked_until = None
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= self.max_failures:
            row.locked_until = now + self.lockout
        return row.locked_until

    def _count_username_failure(self, session: Session, key: str, now: datetime) -> None:
        """Count one failure for a username and set the wait before its next attempt.

        Unlike an address lock, an expired wait does not start a fresh count: the waits
        grow while the failures go on, and reset once none came for ``lockout``.
        """
        row = self._failure_row(session, key, now)
        if row.last_failure_at < now - self.lockout:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        delay = username_delay(row.failures)
        row.locked_until = now + delay if delay else None

    @staticmethod
    def _failure_row(session: Session, key: str, now: datetime) -> LoginFailure:
        """The counter row for ``key``, created on first use (race-safe via a savepoint)."""
        row = session.get(LoginFailure, key, with_for_update=True)
        if row is not None:
            return row
        try:
            with session.begin_nested():
                row = LoginFailure(key=key, failures=0, last_failure_at=now, locked_until=None)
                session.add(row)
            return row
        except IntegrityError:
            row = session.get(LoginFailure, key, with_for_update=True, populate_existing=True)
            assert row is not None
            return row

    def _open_session(self, session: Session, name: str, now: datetime) -> SignIn:
        session.execute(delete(AgentSession).where(AgentSession.expires_at <= now))
        token = secrets.token_urlsafe(32)
        view = AgentSessionView(name, secrets.token_urlsafe(32), now + self.session_ttl)
        session.add(
            AgentSession(
                token_hash=_token_hash(token),
                username=name,
                csrf_token=view.csrf_token,
                created_at=now,
                expires_at=view.expires_at,
            )
        )
        return SignIn(token=token, session=view)

    # -- sessions ----------------------------------------------------------------------

    def session(self, token: str) -> AgentSessionView | None:
        """The session a cookie token opens, or None when unknown or expired."""
        if not token or len(token) > 200:
            return None
        with self._tx("session") as session:
            row = session.get(AgentSession, _token_hash(token))
            if row is None or row.expires_at <= self._clock():
                return None
            return AgentSessionView(row.username, row.csrf_token, row.expires_at)

    def sign_out(self, token: str) -> None:
        """End the session ``token`` opened (no-op if it is unknown)."""
        with self._tx("sign_out", write=True) as session:
            session.execute(
                delete(AgentSession).where(AgentSession.token_hash == _token_hash(token))
            )
