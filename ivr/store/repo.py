"""The store: every read and write the IVR makes, each in its own short transaction.

Methods are synchronous and block on the database; the async app calls them from a
worker thread. Each commits before it returns, so a crash or a restart never loses
what was reported as done, and any other process sees it at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ivr.dialog.masking import MASK
from ivr.store.db import make_engine, session_factory, transaction, writer
from ivr.store.errors import StoreError
from ivr.store.models import (
    CALL_STATUSES,
    TURN_INPUTS,
    Account,
    Call,
    CallerPinFailure,
    CallStream,
    Customer,
    Policy,
    Prompt,
    Transfer,
    Turn,
)
from ivr.store.pins import PinCheck, PinHasher
from ivr.store.schema import create_schema
from ivr.store.views import (
    AccountView,
    CallRecord,
    CallSummary,
    CustomerView,
    PinResult,
    PolicyView,
    PromptRecord,
    StoredTurn,
    TransferRecord,
)
from ivr.twilio.identity import normalize_party
from ivr.twilio.stream_secret import StreamClaim, secret_matches

log = logging.getLogger(__name__)

END_STATUSES = frozenset(CALL_STATUSES) - {"in-progress"}
_STATUS_RANK = {"in-progress": 0, "completed": 1, "abandoned": 2, "failed": 2, "transferred": 3}
"""A call's status only ever moves up this ranking (see :meth:`Store.end_call`)."""
MAX_LIST_LIMIT = 500


def utcnow() -> datetime:
    """The current time, aware, in UTC (the store's default clock)."""
    return datetime.now(UTC)


def is_pin_menu(menu: str) -> bool:
    """Whether ``menu`` collects a PIN (``pin``, ``pin_retry``, ...): never keep its input."""
    name = menu.strip().lower()
    return name == "pin" or name.startswith(("pin_", "pin-", "pin."))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _locked(until: datetime | None, now: datetime) -> bool:
    return until is not None and until > now


class Store:
    """Customers, PIN checks and the call record, over one SQLAlchemy engine.

    ``clock`` must return aware UTC datetimes; tests inject one to move time.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        max_pin_failures: int = 3,
        lockout_minutes: int = 30,
        clock: Callable[[], datetime] = utcnow,
        pins: PinHasher | None = None,
    ) -> None:
        if max_pin_failures < 1 or lockout_minutes < 1:
            raise ValueError("max_pin_failures and lockout_minutes must be positive")
        self.engine = engine
        self.pins = pins
        """PIN hashing under the configured key; without one, PINs cannot be checked."""
        self.max_pin_failures = max_pin_failures
        self.lockout = timedelta(minutes=lockout_minutes)
        self._clock = clock
        self._read = session_factory(engine)
        self._write = session_factory(writer(engine))

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        max_pin_failures: int = 3,
        lockout_minutes: int = 30,
        clock: Callable[[], datetime] = utcnow,
        pins: PinHasher | None = None,
    ) -> Store:
        """Engine + schema + store in one step (options as for the constructor)."""
        engine = make_engine(url)
        create_schema(engine)
        return cls(
            engine,
            max_pin_failures=max_pin_failures,
            lockout_minutes=lockout_minutes,
            clock=clock,
            pins=pins,
        )

    def _tx(self, operation: str, *, write: bool = False) -> AbstractContextManager[Session]:
        """One transaction on the writer (``write``) or reader engine."""
        return transaction(self._write if write else self._read, operation)

    # -- customers ---------------------------------------------------------------------

    def find_customer_by_phone(self, phone: str) -> CustomerView | None:
        """The customer whose registered number is ``phone`` (E.164), if any."""
        with self._tx("find_customer_by_phone") as session:
            customer = session.scalar(select(Customer).where(Customer.phone == phone))
            return self._customer_view(customer)

    def find_customer_by_account(self, account_number: str) -> CustomerView | None:
        """The owner of the account with this full number, if any."""
        with self._tx("find_customer_by_account") as session:
            customer = session.scalar(
                select(Customer)
                .join(Account, Account.customer_id == Customer.id)
                .where(Account.number == account_number)
            )
            return self._customer_view(customer)

    def _customer_view(self, customer: Customer | None) -> CustomerView | None:
        if customer is None:
            return None
        locked = _locked(customer.locked_until, self._clock())
        return CustomerView(customer.id, customer.name, locked, customer.locked_until)

    def verify_pin(self, customer_id: int, pin: str, caller_phone: str) -> PinResult:
        """Check one PIN attempt, counting failures per customer and per caller ID.

        While either is locked the PIN is not even compared. ``max_pin_failures``
        consecutive wrong PINs lock that customer, or that calling phone, for the lockout
        period; the counters are persisted so hanging up and calling again does not help.
        A right PIN resets both counters. An unknown customer id counts as a wrong PIN
        for the caller (so probing ids is rate-limited too).

        Two short transactions: check locks and fetch the hash, compare outside, then
        re-check and count. An attempt that raced another into a lockout counts as locked.
        A right PIN whose hash uses an older key (or none) is re-hashed under the current
        key, so rotating the key needs no PINs from anyone.
        """
        hasher = self.pins
        if hasher is None:
            raise StoreError("verify_pin failed: no PIN key configured (IVR_PIN_KEY)")
        now = self._clock()
        key = _caller_key(caller_phone)
        with self._tx("verify_pin") as session:
            customer = session.get(Customer, customer_id)
            if _any_locked(now, customer, session.get(CallerPinFailure, key)):
                return PinResult(ok=False, locked=True, attempts_left=0)
            pin_hash = customer.pin_hash if customer is not None else None
        # scrypt takes ~50 ms: run it outside any transaction so it never holds SQLite's
        # write lock (which would stall every other call's writes meanwhile).
        check = hasher.verify(pin, pin_hash) if pin_hash is not None else PinCheck(False)
        matched = check.ok
        new_hash = hasher.hash(pin) if check.rehash else None

        with self._tx("verify_pin", write=True) as session:
            customer = session.get(Customer, customer_id, with_for_update=True)
            caller = self._caller_counter(session, key)
            _expire_lockouts(now, customer, caller)
            if _any_locked(now, customer, caller):
                # Another attempt locked us out since the check above: this one is void.
                return PinResult(ok=False, locked=True, attempts_left=0)
            if customer is not None and customer.pin_hash != pin_hash:
                matched = hasher.verify(pin, customer.pin_hash).ok  # PIN changed meanwhile
                new_hash = None

            if customer is not None and matched:
                customer.pin_failures = 0
                caller.failures = 0
                if new_hash is not None:
                    customer.pin_hash = new_hash
                return PinResult(ok=True, locked=False, attempts_left=self.max_pin_failures)

            attempts_left = self._count_wrong_pin(now, customer, caller)
            if attempts_left == 0:
                log.warning(
                    "PIN entry locked until %s (customer %s, caller ending %s)",
                    (now + self.lockout).isoformat(),
                    customer_id,
                    caller_phone[-4:],
                )
            return PinResult(ok=False, locked=attempts_left == 0, attempts_left=attempts_left)

    def _count_wrong_pin(self, now: datetime, *counters: Customer | CallerPinFailure | None) -> int:
        """One more wrong PIN on each counter, locking those that reach the limit; returns
        the attempts left to the most-failed one."""
        worst = 0
        for counter in counters:
            if counter is None:
                continue
            failures = _failures(counter) + 1
            _set_failures(counter, failures)
            if failures >= self.max_pin_failures:
                counter.locked_until = now + self.lockout
            worst = max(worst, failures)
        return max(0, self.max_pin_failures - worst)

    @staticmethod
    def _caller_counter(session: Session, key: str) -> CallerPinFailure:
        """The caller-ID counter row, created on first use (race-safe via a savepoint)."""
        row = session.get(CallerPinFailure, key, with_for_update=True)
        if row is not None:
            return row
        try:
            with session.begin_nested():
                row = CallerPinFailure(caller_phone=key, failures=0, locked_until=None)
                session.add(row)
            return row
        except IntegrityError:
            # A concurrent call from the same number created it first.
            row = session.get(CallerPinFailure, key, with_for_update=True, populate_existing=True)
            assert row is not None
            return row

    def balances(self, customer_id: int) -> list[AccountView]:
        """The customer's accounts, only the last four digits of each number."""
        with self._tx("balances") as session:
            accounts = session.scalars(
                select(Account).where(Account.customer_id == customer_id).order_by(Account.id)
            )
            return [AccountView(a.kind, a.number[-4:], a.balance_cents) for a in accounts]

    def policies(self, customer_id: int) -> list[PolicyView]:
        """The customer's insurance policies."""
        with self._tx("policies") as session:
            rows = session.scalars(
                select(Policy).where(Policy.customer_id == customer_id).order_by(Policy.number)
            )
            return [
                PolicyView(p.number, p.kind, p.status, p.premium_cents, p.next_due) for p in rows
            ]

    # -- calls -------------------------------------------------------------------------

    def start_call(
        self,
        call_sid: str,
        from_number: str,
        to_number: str,
        *,
        stream_secret_hash: str | None = None,
    ) -> bool:
        """Record a new call; False (and the record unchanged) if ``call_sid`` is known.

        ``from_number``/``to_number`` are stored normalised (:mod:`ivr.twilio.identity`),
        so no caller ID, however malformed, can fail the insert and lose the record.
        Twilio retries webhooks, so the same call may be announced more than once. With
        ``stream_secret_hash`` the call's stream secret is (re)issued in the same
        transaction: a retry's TwiML is the one Twilio acts on, so its secret replaces the
        earlier one — until a stream has claimed the call, after which nothing changes.
        """
        caller, called = normalize_party(from_number).value, normalize_party(to_number).value
        try:
            with self._tx("start_call", write=True) as session:
                known = session.get(Call, call_sid) is not None
                if not known:
                    session.add(
                        Call(
                            call_sid=call_sid,
                            from_number=caller,
                            to_number=called,
                            status="in-progress",
                            started_at=self._clock(),
                            verified=False,
                        )
                    )
                    session.flush()  # the stream row refers to the call
                if stream_secret_hash is not None:
                    self._issue_stream_secret(session, call_sid, stream_secret_hash)
                return not known
        except StoreError as exc:
            # Two retries racing: the loser hits the primary key; that is "already known".
            if isinstance(exc.__cause__, IntegrityError):
                return False
            raise

    def _issue_stream_secret(self, session: Session, call_sid: str, secret_hash: str) -> None:
        row = session.get(CallStream, call_sid, with_for_update=True)
        if row is None:
            session.add(
                CallStream(call_sid=call_sid, secret_hash=secret_hash, issued_at=self._clock())
            )
        elif row.stream_sid is None:
            row.secret_hash = secret_hash
            row.issued_at = self._clock()

    def claim_stream(self, call_sid: str, stream_sid: str, secret: str) -> StreamClaim:
        """Give the call's one media stream to ``stream_sid`` if ``secret`` is the call's.

        Refused when no secret was issued (a call this server never answered), when a
        stream already claimed the call — even one showing the right secret — or when the
        secret is wrong. The row lock (``BEGIN IMMEDIATE`` on SQLite) makes two streams
        racing for one call end with exactly one claim, across server processes too.
        """
        with self._tx("claim_stream", write=True) as session:
            row = session.get(CallStream, call_sid, with_for_update=True)
            if row is None:
                return StreamClaim.UNKNOWN
            if row.stream_sid is not None:
                return StreamClaim.ALREADY_STREAMED
            if not secret_matches(secret, row.secret_hash):
                return StreamClaim.WRONG_SECRET
            row.stream_sid = stream_sid
            row.started_at = self._clock()
            return StreamClaim.CLAIMED

    # The setters below return None (not "found?") to match ivr.call.ports.CallRecorder;
    # an unknown call is a no-op because the call record is best effort for the caller.

    def set_call_server(self, call_sid: str, engine: str, instance: str) -> None:
        """Note which speech engine and which instance serve the call's media stream.
        No-op for an unknown call."""
        with self._tx("set_call_server", write=True) as session:
            call = session.get(Call, call_sid)
            if call is not None:
                call.asr_engine = engine
                call.instance = instance[:64]

    def set_call_customer(self, call_sid: str, customer_id: int | None, verified: bool) -> None:
        """Note who the caller is (claimed or PIN-verified). No-op for an unknown call."""
        with self._tx("set_call_customer", write=True) as session:
            call = session.get(Call, call_sid)
            if call is not None:
                call.customer_id = customer_id
                call.verified = verified

    def set_disposition(self, call_sid: str, note: str | None, taken_by: str | None) -> None:
        """The agent's wrap-up note and name after a transfer. No-op for an unknown call."""
        with self._tx("set_disposition", write=True) as session:
            call = session.get(Call, call_sid)
            if call is not None:
                call.disposition_note = note
                call.taken_by = taken_by

    def take_call(self, call_sid: str, agent: str) -> str | None:
        """Let ``agent`` take a transferred call unless another agent already has.

        Returns who has the call now (``agent``, or the one who was first), or None when
        the call is unknown or was never transferred. Locks the call row, so two agents
        clicking at once cannot both get it.
        """
        with self._tx("take_call", write=True) as session:
            call = session.get(Call, call_sid, with_for_update=True)
            if call is None or call.transfer is None:
                return None
            if call.taken_by is None:
                call.taken_by = agent
            return call.taken_by

    def recent_transfers(self, limit: int = 50) -> list[str]:
        """CallSids of the most recent transfers, newest first (the agent desk's list)."""
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIST_LIMIT}, not {limit}")
        stmt = (
            select(Transfer.call_sid)
            .order_by(Transfer.created_at.desc(), Transfer.id.desc())
            .limit(limit)
        )
        with self._tx("recent_transfers") as session:
            return list(session.scalars(stmt))

    def record_turn(
        self,
        call_sid: str,
        menu: str,
        input: str,
        transcript: str,
        intent: str | None,
        confidence: float | None,
        outcome: str,
    ) -> int:
        """Append a turn to the call and return its sequence number (1, 2, ...).

        Whatever was heard on a PIN menu is stored as ``****`` whatever the caller
        passes: the dialog masks PINs already, this is the second line of defence.
        Raises StoreError for an unknown call.
        """
        if input not in TURN_INPUTS:
            raise ValueError(f"input must be one of {TURN_INPUTS}, not {input!r}")
        if is_pin_menu(menu):
            transcript = MASK
        with self._tx("record_turn", write=True) as session:
            # Locking the call row serialises turns of one call on PostgreSQL, so two
            # turns can never compute the same seq (SQLite is serialised by BEGIN IMMEDIATE).
            if session.get(Call, call_sid, with_for_update=True) is None:
                raise StoreError(f"record_turn failed: unknown call {call_sid!r}")
            last = session.scalar(select(func.max(Turn.seq)).where(Turn.call_sid == call_sid))
            seq = (last or 0) + 1
            session.add(
                Turn(
                    call_sid=call_sid,
                    seq=seq,
                    menu=menu,
                    input=input,
                    transcript=transcript,
                    intent=intent,
                    confidence=confidence,
                    outcome=outcome,
                    created_at=self._clock(),
                )
            )
        return seq

    def record_prompt(self, call_sid: str, mark: str, text: str) -> None:
        """Append what the IVR is about to say (``mark`` names it in the media stream).

        Raises StoreError for an unknown call.
        """
        with self._tx("record_prompt", write=True) as session:
            if session.get(Call, call_sid) is None:
                raise StoreError(f"record_prompt failed: unknown call {call_sid!r}")
            session.add(Prompt(call_sid=call_sid, mark=mark, text=text, created_at=self._clock()))

    def record_transfer(
        self, call_sid: str, reason: str, urgent: bool, summary: Mapping[str, Any]
    ) -> None:
        """Record the hand-over to an agent and mark the call ``transferred``.

        ``summary`` (caller, customer_name, verified, reason_text, intents_tried,
        failed_attempts) must be JSON-serialisable. A call has at most one transfer: a
        repeat changes nothing. Raises StoreError for an unknown call.
        """
        summary_json = json.dumps(dict(summary), ensure_ascii=False, sort_keys=True)
        with self._tx("record_transfer", write=True) as session:
            call = session.get(Call, call_sid, with_for_update=True)
            if call is None:
                raise StoreError(f"record_transfer failed: unknown call {call_sid!r}")
            if session.scalar(select(Transfer.id).where(Transfer.call_sid == call_sid)):
                return
            session.add(
                Transfer(
                    call_sid=call_sid,
                    reason=reason,
                    urgent=urgent,
                    summary=summary_json,
                    created_at=self._clock(),
                )
            )
            # Whatever end was recorded first (the stream stopping can race this write),
            # a recorded transfer is what happened to the call.
            _promote(call, "transferred")

    def set_dial_status(self, call_sid: str, status: str) -> None:
        """Twilio's result of dialling the agent. No-op if the call has no transfer."""
        with self._tx("set_dial_status", write=True) as session:
            transfer = session.scalar(select(Transfer).where(Transfer.call_sid == call_sid))
            if transfer is not None:
                transfer.dial_status = status

    def end_call(self, call_sid: str, status: str) -> None:
        """Mark the call ended; no-op for an unknown call.

        The end is reported more than once and in no fixed order: the dialog when the
        media stream stops ('completed', 'abandoned', or nothing after a transfer), then
        Twilio's status callback ('completed' or 'failed'), possibly first. So the first
        report sets ``ended_at``, and the status only moves up the ranking
        in-progress < completed < abandoned = failed < transferred: Twilio's generic
        'completed' never hides what the dialog knows (a transfer, a hang-up mid-menu).
        """
        if status not in END_STATUSES:
            raise ValueError(f"status must be one of {sorted(END_STATUSES)}, not {status!r}")
        with self._tx("end_call", write=True) as session:
            call = session.get(Call, call_sid, with_for_update=True)
            if call is None:
                return
            _promote(call, status)
            if call.ended_at is None:
                call.ended_at = self._clock()

    def ping(self) -> None:
        """Raise :class:`StoreError` unless the database answers a trivial query now."""
        with self._tx("ping") as session:
            session.execute(text("SELECT 1"))

    def get_call(self, call_sid: str) -> CallRecord | None:
        """Everything recorded about one call, JSON-ready (see CallRecord), or None."""
        with self._tx("get_call") as session:
            call = session.get(
                Call,
                call_sid,
                options=[
                    selectinload(Call.turns),
                    selectinload(Call.prompts),
                    selectinload(Call.transfer),
                    selectinload(Call.customer),
                ],
            )
            if call is None:
                return None
            return {
                "call_sid": call.call_sid,
                "from": call.from_number,
                "to": call.to_number,
                "status": call.status,
                "verified": call.verified,
                "started_at": call.started_at.isoformat(),
                "ended_at": _iso(call.ended_at),
                "customer": call.customer.name if call.customer else None,
                "asr_engine": call.asr_engine,
                "instance": call.instance,
                "turns": [_stored_turn(t) for t in call.turns],
                "prompts": [_prompt_record(p) for p in call.prompts],
                "transfer": _transfer_record(call.transfer) if call.transfer else None,
                "disposition_note": call.disposition_note,
                "taken_by": call.taken_by,
            }

    def list_calls(self, limit: int = 50) -> list[CallSummary]:
        """The most recent calls, newest first, as summary rows (no turns)."""
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIST_LIMIT}, not {limit}")
        turn_count = (
            select(func.count(Turn.id))
            .where(Turn.call_sid == Call.call_sid)
            .correlate(Call)
            .scalar_subquery()
        )
        stmt = (
            select(Call, Customer.name, turn_count, Transfer.reason)
            .outerjoin(Customer, Customer.id == Call.customer_id)
            .outerjoin(Transfer, Transfer.call_sid == Call.call_sid)
            .order_by(Call.started_at.desc(), Call.call_sid.desc())
            .limit(limit)
        )
        with self._tx("list_calls") as session:
            return [
                {
                    "call_sid": call.call_sid,
                    "from": call.from_number,
                    "to": call.to_number,
                    "status": call.status,
                    "verified": call.verified,
                    "started_at": call.started_at.isoformat(),
                    "ended_at": _iso(call.ended_at),
                    "customer": name,
                    "turn_count": count,
                    "transfer_reason": reason,
                }
                for call, name, count, reason in session.execute(stmt)
            ]


def _caller_key(caller_phone: str) -> str:
    # Withheld numbers ("anonymous", "") share one counter: failing closed is the safer
    # default for a bank, at the cost of locking all withheld callers out together.
    return caller_phone.strip() or "unknown"


def _expire_lockouts(now: datetime, *counters: Customer | CallerPinFailure | None) -> None:
    """An expired lockout starts a fresh count rather than re-locking at once."""
    for counter in counters:
        if counter is not None and counter.locked_until and counter.locked_until <= now:
            counter.locked_until = None
            _set_failures(counter, 0)


def _any_locked(now: datetime, *counters: Customer | CallerPinFailure | None) -> bool:
    return any(c is not None and _locked(c.locked_until, now) for c in counters)


def _promote(call: Call, status: str) -> None:
    if _STATUS_RANK[status] > _STATUS_RANK[call.status]:
        call.status = status


def _failures(counter: Customer | CallerPinFailure) -> int:
    return counter.pin_failures if isinstance(counter, Customer) else counter.failures


def _set_failures(counter: Customer | CallerPinFailure, value: int) -> None:
    if isinstance(counter, Customer):
        counter.pin_failures = value
    else:
        counter.failures = value


def _stored_turn(turn: Turn) -> StoredTurn:
    return {
        "seq": turn.seq,
        "menu": turn.menu,
        "input": turn.input,
        "transcript": turn.transcript,
        "intent": turn.intent,
        "confidence": turn.confidence,
        "outcome": turn.outcome,
        "at": turn.created_at.isoformat(),
    }


def _prompt_record(prompt: Prompt) -> PromptRecord:
    return {"mark": prompt.mark, "text": prompt.text, "at": prompt.created_at.isoformat()}


def _transfer_record(transfer: Transfer) -> TransferRecord:
    summary: dict[str, Any] = json.loads(transfer.summary)
    return {
        "reason": transfer.reason,
        "urgent": transfer.urgent,
        "summary": summary,
        "created_at": transfer.created_at.isoformat(),
        "dial_status": transfer.dial_status,
    }
