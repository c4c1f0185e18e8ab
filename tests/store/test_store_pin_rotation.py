"""Rotating the PIN key: hashes under the old key (or none, from before the key existed)
keep working and are replaced under the new key at the customer's next right PIN."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from ivr.store import Store, StoreError
from ivr.store.models import Customer
from ivr.store.pin_keys import key_id, parse_keys
from ivr.store.pins import PinHasher, scrypt_fields
from ivr.store.seed import seed_demo

OLD_KEY = "old-pin-key-0123456789abcdef0123456789"
NEW_KEY = "new-pin-key-0123456789abcdef0123456789"
ADA, ADA_PIN = "+14155550100", "2468"
CALLER = "+15550001111"


def stored_hash(store: Store, phone: str) -> str:
    with store.engine.connect() as conn:
        return str(conn.scalar(select(Customer.pin_hash).where(Customer.phone == phone)))


def test_pin_rotation_old_key_hash_rehashed_at_the_next_right_pin(
    make_store: Callable[..., Store],
) -> None:
    before = make_store(pins=PinHasher(parse_keys(OLD_KEY, "test")))
    seed_demo(before)
    rotated = make_store(pins=PinHasher(parse_keys(f"{NEW_KEY},{OLD_KEY}", "test")))
    ada = rotated.find_customer_by_phone(ADA)
    assert ada is not None
    assert stored_hash(rotated, ADA).split("$")[1] == key_id(OLD_KEY.encode())
    # A wrong PIN changes nothing; the right one signs in and moves the hash to the new key.
    assert not rotated.verify_pin(ada.id, "1111", CALLER).ok
    assert stored_hash(rotated, ADA).split("$")[1] == key_id(OLD_KEY.encode())
    assert rotated.verify_pin(ada.id, ADA_PIN, CALLER).ok
    assert stored_hash(rotated, ADA).split("$")[1] == key_id(NEW_KEY.encode())
    # Ada no longer depends on the old key; Alan, who has not called, still does.
    after = make_store(pins=PinHasher(parse_keys(NEW_KEY, "test")))
    assert after.verify_pin(ada.id, ADA_PIN, CALLER).ok
    alan = after.find_customer_by_phone("+14155550101")
    assert alan is not None and not after.verify_pin(alan.id, "1357", "+15550002222").ok


def test_pin_rotation_unpeppered_hash_rehashed_under_the_key(store: Store) -> None:
    seed_demo(store)
    ada = store.find_customer_by_phone(ADA)
    assert ada is not None
    # A database from before PIN keys: plain scrypt of the PIN.
    with store.engine.begin() as conn:
        legacy = f"scrypt${scrypt_fields(ADA_PIN.encode())}"
        conn.execute(update(Customer).where(Customer.id == ada.id).values(pin_hash=legacy))
    assert store.verify_pin(ada.id, ADA_PIN, CALLER).ok
    assert stored_hash(store, ADA).startswith("scrypt-hmac$")
    assert store.verify_pin(ada.id, ADA_PIN, CALLER).ok


def test_pin_store_without_a_key_cannot_check_pins(make_store: Callable[..., Store]) -> None:
    store = make_store(pins=None)
    with pytest.raises(StoreError, match="no PIN key"):
        store.verify_pin(1, ADA_PIN, CALLER)
