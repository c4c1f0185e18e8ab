"""PIN hashing: salted scrypt, constant-time verification, nothing in clear."""

from __future__ import annotations

import pytest

from ivr.store import pins


def test_hash_pin_result_never_contains_pin() -> None:
    encoded = pins.hash_pin("2468")
    assert "2468" not in encoded
    scheme, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", pins.N, pins.R, pins.P)
    assert len(bytes.fromhex(salt)) == 16
    assert len(bytes.fromhex(digest)) == pins.DKLEN


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
