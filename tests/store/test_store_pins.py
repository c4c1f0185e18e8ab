"""PIN hashing: salted scrypt, constant-time verification, nothing in clear."""

from __future__ import annotations

import hashlib

import pytest

from ivr.store import pins


def test_hash_pin_stores_only_a_salted_scrypt_hash() -> None:
    encoded = pins.hash_pin("2468")
    scheme, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", pins.N, pins.R, pins.P)
    assert len(bytes.fromhex(salt)) == 16
    # The last field is the scrypt hash of the PIN with that salt, nothing else of it.
    # (A substring check would fail by chance: random hex holds "2468" one time in ~700.)
    expected = hashlib.scrypt(
        b"2468",
        salt=bytes.fromhex(salt),
        n=pins.N,
        r=pins.R,
        p=pins.P,
        maxmem=256 * pins.N * pins.R * pins.P,
        dklen=pins.DKLEN,
    )
    assert bytes.fromhex(digest) == expected


def test_hash_pin_same_pin_twice_differs() -> None:
    assert pins.hash_pin("2468") != pins.hash_pin("2468")


def test_verify_pin_right_pin_matches() -> None:
    assert pins.verify_pin("2468", pins.hash_pin("2468"))


def test_verify_pin_wrong_pin_does_not_match() -> None:
    encoded = pins.hash_pin("2468")
    assert not pins.verify_pin("2469", encoded)
    assert not pins.verify_pin("", encoded)


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
    ],
)
def test_verify_pin_malformed_hash_never_matches(encoded: str) -> None:
    assert not pins.verify_pin("2468", encoded)


def test_hash_pin_empty_pin_rejected() -> None:
    with pytest.raises(ValueError):
        pins.hash_pin("")
