"""Demo customers for local runs and tests (``ivr db seed``).

Idempotent: rows are matched by phone / account number / policy number and updated in
place, so re-seeding never duplicates, and puts balances, PINs and lockouts back to the
demo values (handy between demo calls).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ivr.store.db import session_factory, writer
from ivr.store.errors import StoreError
from ivr.store.models import Account, CallerPinFailure, Customer, Policy
from ivr.store.pins import PinHasher
from ivr.store.repo import Store
from ivr.store.schema import upgrade_schema


@dataclass(frozen=True)
class DemoAccount:
    kind: str
    number: str
    balance_cents: int


@dataclass(frozen=True)
class DemoPolicy:
    number: str
    kind: str
    status: str
    premium_cents: int
    next_due: date | None


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    phone: str
    pin: str
    accounts: tuple[DemoAccount, ...]
    policies: tuple[DemoPolicy, ...]


DEMO_CUSTOMERS = (
    DemoCustomer(
        name="Ada Lovelace",
        phone="+14155550100",
        pin="2468",
        accounts=(
            DemoAccount("checking", "000012341234", 251_743),
            DemoAccount("savings", "000098769876", 1_025_000),
        ),
        policies=(DemoPolicy("AP-1001", "auto", "active", 9_650, date(2026, 12, 15)),),
    ),
    DemoCustomer(
        name="Alan Turing",
        phone="+14155550101",
        pin="1357",
        accounts=(DemoAccount("checking", "000055555555", 4_217),),
        policies=(DemoPolicy("HP-2002", "home", "lapsed", 12_000, None),),
    ),
)
"""The demo data; PINs are here in clear only because they are published demo values."""


def seed_demo(target: Store | Engine, pins: PinHasher | None = None) -> None:
    """Bring the schema to the head revision and upsert the demo customers, in one
    transaction.

    PINs are hashed with ``pins``, or the store's own hasher. Also clears every caller-ID
    PIN lockout: the demo caller's own phone may have been locked out while trying the
    demo. Do not run against a production database.
    """
    engine = target.engine if isinstance(target, Store) else target
    hasher = pins or (target.pins if isinstance(target, Store) else None)
    if hasher is None:
        raise StoreError("seed_demo needs the PIN key (IVR_PIN_KEY) to hash the demo PINs")
    upgrade_schema(engine)
    try:
        with session_factory(writer(engine)).begin() as session:
            for demo in DEMO_CUSTOMERS:
                _upsert_customer(session, demo, hasher)
            session.execute(delete(CallerPinFailure))
    except SQLAlchemyError as exc:
        raise StoreError(f"seed_demo failed: {type(exc).__name__}") from exc


def upsert_customers(engine: Engine, customers: Sequence[DemoCustomer], pins: PinHasher) -> None:
    """Insert or update ``customers`` in one transaction (the schema must exist); for
    benchmarks and demos, never production data."""
    try:
        with session_factory(writer(engine)).begin() as session:
            for customer in customers:
                _upsert_customer(session, customer, pins)
    except SQLAlchemyError as exc:
        raise StoreError(f"upsert_customers failed: {type(exc).__name__}") from exc


def _upsert_customer(session: Session, demo: DemoCustomer, pins: PinHasher) -> None:
    customer = session.scalar(select(Customer).where(Customer.phone == demo.phone))
    if customer is None:
        customer = Customer(phone=demo.phone)
        session.add(customer)
    customer.name = demo.name
    customer.pin_hash = pins.hash(demo.pin)
    customer.pin_failures = 0
    customer.locked_until = None
    session.flush()  # assigns customer.id for the rows below

    for acc in demo.accounts:
        account = session.scalar(select(Account).where(Account.number == acc.number))
        if account is None:
            account = Account(number=acc.number)
            session.add(account)
        account.customer_id = customer.id
        account.kind = acc.kind
        account.balance_cents = acc.balance_cents

    for pol in demo.policies:
        policy = session.scalar(select(Policy).where(Policy.number == pol.number))
        if policy is None:
            policy = Policy(number=pol.number)
            session.add(policy)
        policy.customer_id = customer.id
        policy.kind = pol.kind
        policy.status = pol.status
        policy.premium_cents = pol.premium_cents
        policy.next_due = pol.next_due
