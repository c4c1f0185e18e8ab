"""PIN hashing with scrypt. PINs are never logged, stored or returned in clear."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
"""~16 MiB and tens of milliseconds per hash: cheap for one caller, costly for a guesser
who stole the table (a 4-digit PIN space is tiny, so the cost factor matters)."""
SALT_BYTES = 16
DKLEN = 32
_MAX_N = 2**20
"""Upper bound accepted when verifying, so a corrupt hash cannot make us allocate GiBs."""


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n * p, dklen=DKLEN
    )


def hash_pin(pin: str) -> str:
    """Return ``scrypt$n$r$p$salthex$hashhex`` for ``pin`` with a fresh random salt."""
    if not pin:
        raise ValueError("empty PIN")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(pin, salt, N, R, P)
    return f"{SCHEME}${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, encoded: str) -> bool:
    """Whether ``pin`` matches ``encoded``; a malformed hash never matches."""
    try:
        scheme, n_s, r_s, p_s, salt_hex, hash_hex = encoded.split("$")
        n, r, p = int(n_s), int(r_s), int(p_s)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    if scheme != SCHEME or not (1 < n <= _MAX_N and 0 < r <= 32 and 0 < p <= 16):
        return False
    if len(expected) != DKLEN:
        return False
    try:
        actual = _derive(pin, salt, n, r, p)
    except (ValueError, MemoryError):
        return False
    # Constant time, so response timing does not reveal how much of the hash matched.
    return hmac.compare_digest(actual, expected)
