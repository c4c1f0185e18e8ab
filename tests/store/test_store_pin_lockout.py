"""PIN attempts are limited per customer and per caller ID, across calls and restarts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ivr.store import CustomerView, PinResult, Store
from ivr.store.pins import PinCheck, PinHasher
from ivr.store.seed import seed_demo
from tests.store.store_helpers import FakeClock

ADA_PIN = "2468"
CALLER = "+15550001111"


@pytest.fixture
def ada(store: Store) -> CustomerView:
    seed_demo(store)
    found = store.find_customer_by_phone("+14155550100")
    assert found is not None
    return found


def test_verify_pin_right_pin_ok_with_full_attempts(store: Store, ada: CustomerView) -> None:
    assert store.verify_pin(ada.id, ADA_PIN, CALLER) == PinResult(True, False, 3)


def test_verify_pin_wrong_pin_counts_down_attempts(store: Store, ada: CustomerView) -> None:
    assert store.verify_pin(ada.id, "1111", CALLER) == PinResult(False, False, 2)
    assert store.verify_pin(ada.id, "2222", CALLER) == PinResult(False, False, 1)
    assert store.verify_pin(ada.id, "3333", CALLER) == PinResult(False, True, 0)


def test_verify_pin_three_wrong_across_restarts_locks_customer(
    make_store: Callable[..., Store], ada: CustomerView, clock: FakeClock
) -> None:
    # Each attempt from a fresh Store and engine: a new call after a server restart,
    # and from a different phone each time, so only the customer counter can lock.
    for i in range(3):
        make_store().verify_pin(ada.id, "0000", f"+1555000000{i}")

    restarted = make_store()
    assert restarted.verify_pin(ada.id, ADA_PIN, "+15550009999") == PinResult(False, True, 0)
    view = restarted.find_customer_by_phone("+14155550100")
    assert view is not None and view.locked
    assert view.locked_until == clock.now.replace(minute=30)


def test_verify_pin_right_pin_resets_consecutive_count(store: Store, ada: CustomerView) -> None:
    store.verify_pin(ada.id, "0000", CALLER)
    store.verify_pin(ada.id, "0000", CALLER)
    assert store.verify_pin(ada.id, ADA_PIN, CALLER).ok
    assert store.verify_pin(ada.id, "0000", CALLER) == PinResult(False, False, 2)


def test_verify_pin_lockout_expired_allows_fresh_attempts(
    make_store: Callable[..., Store], ada: CustomerView, clock: FakeClock
) -> None:
    store = make_store(lockout_minutes=30)
    for _ in range(3):
        store.verify_pin(ada.id, "0000", CALLER)

    clock.advance(minutes=29, seconds=59)
    assert store.verify_pin(ada.id, ADA_PIN, CALLER).locked

    clock.advance(seconds=1)
    view = store.find_customer_by_phone("+14155550100")
    assert view is not None and not view.locked
    # The count starts again rather than re-locking on the first miss.
    assert store.verify_pin(ada.id, "0000", CALLER) == PinResult(False, False, 2)
    assert store.verify_pin(ada.id, ADA_PIN, CALLER) == PinResult(True, False, 3)


def test_verify_pin_one_phone_many_customers_locks_caller(store: Store, ada: CustomerView) -> None:
    alan = store.find_customer_by_phone("+14155550101")
    assert alan is not None
    store.verify_pin(ada.id, "0000", CALLER)
    store.verify_pin(alan.id, "0000", CALLER)
    assert store.verify_pin(ada.id, "1111", CALLER) == PinResult(False, True, 0)

    # Ada herself is not locked (2 misses), but this phone is, even with the right PIN
    # for another customer.
    assert store.verify_pin(alan.id, "1357", CALLER) == PinResult(False, True, 0)
    view = store.find_customer_by_phone("+14155550100")
    assert view is not None and not view.locked
    assert store.verify_pin(ada.id, ADA_PIN, "+15550002222").ok


def test_verify_pin_caller_lock_persists_across_restarts(
    make_store: Callable[..., Store], ada: CustomerView
) -> None:
    for _ in range(3):
        make_store().verify_pin(ada.id, "0000", CALLER)
    assert make_store().verify_pin(ada.id, ADA_PIN, CALLER).locked


def test_verify_pin_unknown_customer_counts_against_caller(store: Store, ada: CustomerView) -> None:
    assert store.verify_pin(999, "0000", CALLER) == PinResult(False, False, 2)
    store.verify_pin(998, "0000", CALLER)
    store.verify_pin(997, "0000", CALLER)
    assert store.verify_pin(ada.id, ADA_PIN, CALLER).locked


def test_verify_pin_custom_limit_respected(
    make_store: Callable[..., Store], ada: CustomerView
) -> None:
    store = make_store(max_pin_failures=5)
    for expected_left in (4, 3, 2, 1):
        assert store.verify_pin(ada.id, "0000", CALLER).attempts_left == expected_left
    assert store.verify_pin(ada.id, "0000", CALLER) == PinResult(False, True, 0)


def test_verify_pin_while_locked_never_compares(
    store: Store, ada: CustomerView, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        store.verify_pin(ada.id, "0000", CALLER)
    compared: list[str] = []

    def compare(self: PinHasher, pin: str, encoded: str) -> PinCheck:
        compared.append(pin)
        return PinCheck(True)

    monkeypatch.setattr(PinHasher, "verify", compare)
    assert store.verify_pin(ada.id, ADA_PIN, "+15550002222") == PinResult(False, True, 0)
    assert compared == []
