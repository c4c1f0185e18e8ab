"""PIN hashing: an HMAC with a key kept outside the database, then salted scrypt.

PINs are never logged, stored or returned in clear. Stored formats::

    scrypt-hmac$<key id>$n$r$p$<salt hex>$<hash hex>   scrypt(HMAC-SHA256(key, PIN))
    scrypt$n$r$p$<salt hex>$<hash hex>                  unpeppered (databases seeded
                                                        before the key existed)

Both verify; a right PIN under an older key or none reports ``rehash``, so the store
replaces the hash with one under the current key (see :mod:`ivr.store.pin_keys`). The
plain ``scrypt$…`` functions are shared with agent passwords.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from ivr.store.pin_keys import PinKey, PinKeyRing

log = logging.getLogger(__name__)

SCHEME = "scrypt"
PEPPERED = "scrypt-hmac"
N, R, P = 2**14, 8, 1
"""~16 MiB and tens of milliseconds per hash: cheap for one caller, costly for a guesser
who stole the table *and* the key (the key is what protects a 4-digit PIN space)."""
SALT_BYTES = 16
DKLEN = 32
_MAX_N = 2**20
"""Upper bound accepted when verifying, so a corrupt hash cannot make us allocate GiBs."""


@dataclass(frozen=True)
class PinCheck:
    """The outcome of checking one PIN against one stored hash."""

    ok: bool
    rehash: bool = False
    """The PIN was right but its hash uses an old key (or none): store a new one."""


def _derive(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=256 * r * n * p, dklen=DKLEN)


def scrypt_fields(secret: bytes, n: int = N) -> str:
    """``n$r$p$salthex$hashhex`` for ``secret`` with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    return f"{n}${R}${P}${salt.hex()}${_derive(secret, salt, n, R, P).hex()}"


def verify_fields(secret: bytes, fields: str) -> bool:
    """Whether ``secret`` matches ``n$r$p$salthex$hashhex``; malformed never matches."""
    try:
        n_s, r_s, p_s, salt_hex, hash_hex = fields.split("$")
        n, r, p = int(n_s), int(r_s), int(p_s)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    if not (1 < n <= _MAX_N and 0 < r <= 32 and 0 < p <= 16) or len(expected) != DKLEN:
        return False
    try:
        actual = _derive(secret, salt, n, r, p)
    except (ValueError, MemoryError):
        return False
    # Constant time, so response timing does not reveal how much of the hash matched.
    return hmac.compare_digest(actual, expected)


def verify_scrypt(secret: str, encoded: str) -> bool:
    """Whether ``secret`` matches a plain ``scrypt$…`` hash (agent passwords, old PINs)."""
    scheme, _, fields = encoded.partition("$")
    return scheme == SCHEME and verify_fields(secret.encode("utf-8"), fields)


class PinHasher:
    """Hashes PINs under the ring's current key; verifies under any key of the ring."""

    def __init__(self, keys: PinKeyRing, n: int = N) -> None:
        self.keys = keys
        self._n = n

    def hash(self, pin: str) -> str:
        """``scrypt-hmac$keyid$…`` for ``pin`` under the current key."""
        if not pin:
            raise ValueError("empty PIN")
        key = self.keys.current
        return f"{PEPPERED}${key.id}${scrypt_fields(_pepper(key, pin), self._n)}"

    def verify(self, pin: str, encoded: str) -> PinCheck:
        """Check ``pin`` against a stored hash of either format."""
        scheme, _, rest = encoded.partition("$")
        if scheme == SCHEME:
            ok = verify_scrypt(pin, encoded)
            return PinCheck(ok, rehash=ok)
        if scheme != PEPPERED:
            return PinCheck(False)
        key_id, _, fields = rest.partition("$")
        key = self.keys.find(key_id)
        if key is None:
            # Nobody can sign in with this hash until its key is configured again.
            log.warning("a PIN hash names key %r, which is not configured", key_id[:16])
            return PinCheck(False)
        ok = verify_fields(_pepper(key, pin), fields)
        return PinCheck(ok, rehash=ok and key is not self.keys.current)


def _pepper(key: PinKey, pin: str) -> bytes:
    return hmac.new(key.secret, pin.encode("utf-8"), hashlib.sha256).digest()
