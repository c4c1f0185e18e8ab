"""ORM tables. Times are stored as naive UTC and read back as aware UTC (see UTCDateTime)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

PARTY_CHARS = 255
"""Width of caller/called columns: SIP URIs are long (ivr.twilio.identity.MAX_CHARS)."""
CALL_STATUSES = ("in-progress", "completed", "transferred", "abandoned", "failed")
TURN_INPUTS = ("speech", "keys", "none")
ACCOUNT_KINDS = ("checking", "savings")
POLICY_KINDS = ("auto", "home", "life")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend.

    SQLite has no time zones, so values are normalised to naive UTC on the way in and
    tagged UTC on the way out. Naive input is refused: it is almost always a bug
    (``datetime.now()`` instead of ``datetime.now(UTC)``).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base for all store tables."""


class Customer(Base):
    """A bank/insurance customer who can identify by caller ID or account number + PIN."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    """E.164, e.g. ``+14155550100``; matched exactly against Twilio's ``From``."""
    pin_hash: Mapped[str] = mapped_column(String(255))
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    """Consecutive wrong PINs, across calls; reset by a right PIN or an expired lockout."""
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Account(Base):
    """A bank account. ``number`` is the full number so unknown callers can key it in."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(_one_of("kind", ACCOUNT_KINDS), name="account_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(34), unique=True)
    balance_cents: Mapped[int] = mapped_column(BigInteger)


class Policy(Base):
    """An insurance policy."""

    __tablename__ = "policies"
    __table_args__ = (CheckConstraint(_one_of("kind", POLICY_KINDS), name="policy_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    number: Mapped[str] = mapped_column(String(34), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Open set on purpose: the policy system may add states ('cancelled', 'pending', ...).
    status: Mapped[str] = mapped_column(String(16))
    premium_cents: Mapped[int] = mapped_column(BigInteger)
    next_due: Mapped[date | None] = mapped_column(default=None)


class Call(Base):
    """One inbound call, keyed by Twilio's CallSid."""

    __tablename__ = "calls"
    __table_args__ = (CheckConstraint(_one_of("status", CALL_STATUSES), name="call_status"),)

    call_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    from_number: Mapped[str] = mapped_column(String(PARTY_CHARS))
    """Normalised (ivr.twilio.identity): E.164, ``client:…``, a SIP URI, ``anonymous``…"""
    to_number: Mapped[str] = mapped_column(String(PARTY_CHARS))
    status: Mapped[str] = mapped_column(String(16), default="in-progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    asr_engine: Mapped[str | None] = mapped_column(String(32), default=None)
    disposition_note: Mapped[str | None] = mapped_column(Text, default=None)
    taken_by: Mapped[str | None] = mapped_column(String(100), default=None)
    instance: Mapped[str | None] = mapped_column(String(64), default=None)
    """Which instance served the call's media stream (``IVR_INSTANCE_ID``)."""

    customer: Mapped[Customer | None] = relationship()
    turns: Mapped[list[Turn]] = relationship(order_by="Turn.seq")
    prompts: Mapped[list[Prompt]] = relationship(order_by="Prompt.id")
    transfer: Mapped[Transfer | None] = relationship()


class CallStream(Base):
    """A call's media stream: the hash of the secret our TwiML gave Twilio for it, and the
    one stream that used it (a call has one stream, ever)."""

    __tablename__ = "call_streams"

    call_sid: Mapped[str] = mapped_column(
        ForeignKey("calls.call_sid", ondelete="CASCADE"), primary_key=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 (hex) of the ``<Parameter>`` secret; the secret itself is never stored."""
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stream_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    """Set by the stream that claimed the call; from then on every other stream is refused."""
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Turn(Base):
    """One prompt/response exchange of a call, numbered 1, 2, ... per call."""

    __tablename__ = "turns"
    __table_args__ = (
        UniqueConstraint("call_sid", "seq", name="turn_seq"),
        CheckConstraint(_one_of("input", TURN_INPUTS), name="turn_input"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(ForeignKey("calls.call_sid", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    menu: Mapped[str] = mapped_column(String(64))
    input: Mapped[str] = mapped_column(String(8))
    transcript: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    outcome: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Prompt(Base):
    """What the IVR said to the caller, in the order it was played."""

    __tablename__ = "prompts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(
        ForeignKey("calls.call_sid", ondelete="CASCADE"), index=True
    )
    mark: Mapped[str] = mapped_column(String(100))
    """The Media Streams mark name sent after the audio (ties playback events to text)."""
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Transfer(Base):
    """The hand-over of a call to an agent; at most one per call."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(
        ForeignKey("calls.call_sid", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(String(64))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text)
    """JSON object for the agent's screen: caller, customer_name, verified, reason_text,
    intents_tried, failed_attempts."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dial_status: Mapped[str | None] = mapped_column(String(32), default=None)


class CallerPinFailure(Base):
    """Wrong-PIN counter per caller ID, so one phone cannot try PINs on many customers."""

    __tablename__ = "caller_pin_failures"

    caller_phone: Mapped[str] = mapped_column(String(PARTY_CHARS), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Agent(Base):
    """A contact-centre agent who may sign in to the agent desk (``ivr agents add``)."""

    __tablename__ = "agents"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgentSession(Base):
    """A signed-in agent desk. Keyed by the SHA-256 of the cookie's token, so a copy of the
    table does not let anyone in; ``csrf_token`` goes into the session's forms."""

    __tablename__ = "agent_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        ForeignKey("agents.username", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LoginFailure(Base):
    """Failed agent sign-ins per key (``user:NAME`` or ``ip:ADDRESS``), for the lockout."""

    __tablename__ = "agent_login_failures"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Recording(Base):
    """One kept utterance: the turn it belongs to and when it goes."""

    __tablename__ = "utterance_recordings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    call_sid: Mapped[str] = mapped_column(ForeignKey("calls.call_sid", ondelete="CASCADE"))
    turn_seq: Mapped[int] = mapped_column(Integer)
    menu: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
