"""Demo data: exact values, idempotent, and a re-seed resets the demo state."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.store import AccountView, PolicyView, Store
from ivr.store.models import Account, CallerPinFailure, Customer, Policy
from ivr.store.seed import seed_demo
from tests.conftest import TEST_PINS


def _counts(store: Store) -> tuple[int, int, int]:
    with Session(store.engine) as session:
        return (
            session.scalar(select(func.count(Customer.id))) or 0,
            session.scalar(select(func.count(Account.id))) or 0,
            session.scalar(select(func.count(Policy.id))) or 0,
        )


def test_seed_demo_fresh_database_has_exact_demo_values(store: Store) -> None:
    seed_demo(store)

    ada = store.find_customer_by_phone("+14155550100")
    assert ada is not None and ada.name == "Ada Lovelace" and not ada.locked
    assert store.balances(ada.id) == [
        AccountView("checking", "1234", 251_743),
        AccountView("savings", "9876", 1_025_000),
    ]
    assert store.policies(ada.id) == [
        PolicyView("AP-1001", "auto", "active", 9_650, date(2026, 12, 15))
    ]
    assert store.verify_pin(ada.id, "2468", "+15550001111").ok

    alan = store.find_customer_by_phone("+14155550101")
    assert alan is not None and alan.name == "Alan Turing"
    assert store.balances(alan.id) == [AccountView("checking", "5555", 4_217)]
    assert store.policies(alan.id) == [PolicyView("HP-2002", "home", "lapsed", 12_000, None)]
    assert store.verify_pin(alan.id, "1357", "+15550001111").ok

    assert store.find_customer_by_account("000012341234") == ada
    assert store.find_customer_by_account("000098769876") == ada
    assert store.find_customer_by_account("000055555555") == alan


def test_seed_demo_run_twice_does_not_duplicate(store: Store) -> None:
    seed_demo(store)
    seed_demo(store.engine, TEST_PINS)  # also accepts a bare engine and a PIN hasher
    assert _counts(store) == (2, 3, 2)


def test_seed_demo_rerun_resets_balances_and_lockouts(store: Store) -> None:
    seed_demo(store)
    ada = store.find_customer_by_phone("+14155550100")
    assert ada is not None
    for _ in range(3):
        store.verify_pin(ada.id, "0000", "+15550001111")
    with Session(store.engine) as session, session.begin():
        account = session.scalars(select(Account).where(Account.number == "000012341234")).one()
        account.balance_cents = 1

    seed_demo(store)

    ada = store.find_customer_by_phone("+14155550100")
    assert ada is not None and not ada.locked and ada.locked_until is None
    assert store.balances(ada.id)[0].balance_cents == 251_743
    with Session(store.engine) as session:
        assert session.scalar(select(func.count()).select_from(CallerPinFailure)) == 0
    assert store.verify_pin(ada.id, "2468", "+15550001111").ok
