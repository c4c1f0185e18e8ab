"""PIN hashing: HMAC with a key kept outside the database, then salted scrypt; constant-time
verification; key rotation; nothing in clear."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pytest

from ivr.store import pins
from ivr.store.pin_keys import PinKeyError, key_id, load_pin_keys, parse_keys
from ivr.store.pins import PinCheck, PinHasher

OLD_KEY = "old-pin-key-0123456789abcdef0123456789"
NEW_KEY = "new-pin-key-0123456789abcdef0123456789"


@pytest.fixture
def hasher() -> PinHasher:
    return PinHasher(parse_keys(NEW_KEY, "test"))


def test_hash_pin_is_scrypt_of_an_hmac_under_the_key_and_names_the_key(
    hasher: PinHasher,
) -> None:
    encoded = hasher.hash("2468")
    scheme, kid, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt-hmac", pins.N, pins.R, pins.P)
    assert kid == key_id(NEW_KEY.encode()) and len(bytes.fromhex(salt)) == 16
    # The last field is scrypt over HMAC-SHA256(key, PIN): without the key, trying all
    # 10,000 PINs against it finds nothing. (A substring check would fail by chance.)
    peppered = hmac.new(NEW_KEY.encode(), b"2468", hashlib.sha256).digest()
    expected = hashlib.scrypt(
        peppered, salt=bytes.fromhex(salt), n=pins.N, r=pins.R, p=pins.P,
        maxmem=256 * pins.N * pins.R * pins.P, dklen=pins.DKLEN,
    )  # fmt: skip
    assert bytes.fromhex(digest) == expected
    unpeppered = hashlib.scrypt(
        b"2468", salt=bytes.fromhex(salt), n=pins.N, r=pins.R, p=pins.P,
        maxmem=256 * pins.N * pins.R * pins.P, dklen=pins.DKLEN,
    )  # fmt: skip
    assert bytes.fromhex(digest) != unpeppered


def test_hash_pin_same_pin_twice_differs(hasher: PinHasher) -> None:
    assert hasher.hash("2468") != hasher.hash("2468")


def test_verify_pin_right_pin_matches_wrong_does_not(hasher: PinHasher) -> None:
    encoded = hasher.hash("2468")
    assert hasher.verify("2468", encoded) == PinCheck(ok=True, rehash=False)
    assert hasher.verify("2469", encoded) == PinCheck(ok=False)
    assert hasher.verify("", encoded) == PinCheck(ok=False)


def test_verify_pin_under_another_key_never_matches(hasher: PinHasher) -> None:
    stranger = PinHasher(parse_keys("another-key-0123456789abcdef0123456789", "test"))
    assert not hasher.verify("2468", stranger.hash("2468")).ok


def test_verify_pin_old_key_still_verifies_and_asks_for_a_rehash() -> None:
    before = PinHasher(parse_keys(OLD_KEY, "test"))
    encoded = before.hash("2468")
    rotated = PinHasher(parse_keys(f"{NEW_KEY},{OLD_KEY}", "test"))
    assert rotated.verify("2468", encoded) == PinCheck(ok=True, rehash=True)
    assert rotated.verify("1111", encoded) == PinCheck(ok=False, rehash=False)
    assert rotated.verify("2468", rotated.hash("2468")) == PinCheck(ok=True, rehash=False)
    # Once the old key is dropped, its hashes no longer open anything.
    assert not PinHasher(parse_keys(NEW_KEY, "test")).verify("2468", encoded).ok


def test_verify_pin_unpeppered_hash_of_an_older_database_verifies_and_asks_for_a_rehash(
    hasher: PinHasher,
) -> None:
    legacy = f"scrypt${pins.scrypt_fields(b'2468')}"
    assert hasher.verify("2468", legacy) == PinCheck(ok=True, rehash=True)
    assert not hasher.verify("2469", legacy).ok


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "2468",
        "bcrypt$16384$8$1$00$00",
        "scrypt$x$8$1$00$00",
        "scrypt$16384$8$1$zz$00",
        "scrypt$16384$8$1$00$00",  # digest too short
        f"scrypt${2**30}$8$1$00${'00' * 32}",  # cost we refuse to compute
        "scrypt-hmac$unknown1$16384$8$1$00$" + "00" * 32,
        "scrypt-hmac$$$$",
    ],
)
def test_verify_pin_malformed_hash_never_matches(hasher: PinHasher, encoded: str) -> None:
    assert not hasher.verify("2468", encoded).ok


def test_hash_pin_empty_pin_rejected(hasher: PinHasher) -> None:
    with pytest.raises(ValueError):
        hasher.hash("")


def test_pin_keys_first_is_current_and_ids_reveal_nothing() -> None:
    ring = parse_keys(f"{NEW_KEY}\n# retired next month\n{OLD_KEY}\n", "IVR_PIN_KEY_FILE")
    assert ring.current.secret == NEW_KEY.encode()
    assert [k.secret for k in ring.previous] == [OLD_KEY.encode()]
    assert ring.find(key_id(OLD_KEY.encode())) is ring.previous[0]
    assert NEW_KEY not in repr(ring) and ring.current.id not in NEW_KEY


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "IVR_PIN_KEY or IVR_PIN_KEY_FILE is required"),
        ("", "IVR_PIN_KEY or IVR_PIN_KEY_FILE is required"),
        ("short-key", "shorter than 32 characters"),
        (f"{NEW_KEY},tiny", "key 2 is shorter"),
    ],
)
def test_pin_keys_missing_or_weak_refused(key: str | None, message: str) -> None:
    with pytest.raises(PinKeyError, match=message):
        load_pin_keys(key, None)


def test_pin_key_file_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "pin.keys"
    path.write_text(NEW_KEY + "\n")
    os.chmod(path, 0o644)
    with pytest.raises(PinKeyError, match="chmod 600"):
        load_pin_keys(None, path)
    os.chmod(path, 0o600)
    assert load_pin_keys(None, path).current.secret == NEW_KEY.encode()
    with pytest.raises(PinKeyError, match="not both"):
        load_pin_keys(NEW_KEY, path)
