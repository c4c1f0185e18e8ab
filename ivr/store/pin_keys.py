"""The secret keys that pepper PIN hashes, kept outside the database.

A four-digit PIN has 10,000 values: whoever copies the customers table can try them all
against a salted scrypt hash in minutes. Each PIN is therefore first run through
HMAC-SHA256 with a key that never enters the database (``IVR_PIN_KEY`` or the file
``IVR_PIN_KEY_FILE``); without the key a stolen table is worthless.

Keys are given as a list, current key first, then older keys still accepted while
hashes made with them remain (rotation, see the README): separated by commas in
``IVR_PIN_KEY``, one per line in the file. Each hash records the id of its key; the id is
derived from the key (an HMAC of a fixed label), so it reveals nothing about it.
"""

from __future__ import annotations

import hashlib
import hmac
import stat
from dataclasses import dataclass
from pathlib import Path

MIN_KEY_CHARS = 32
"""A key is at least this long (e.g. ``openssl rand -hex 32`` gives 64 characters)."""
KEY_ID_CHARS = 8
PLACEHOLDERS = frozenset({"changeme", "change-me", "secret", "xxx"})


class PinKeyError(ValueError):
    """The PIN key setting is missing, malformed or unprotected; the message says how to fix."""


@dataclass(frozen=True, repr=False)
class PinKey:
    """One pepper key and its public id."""

    id: str
    secret: bytes

    def __repr__(self) -> str:  # never show the secret in a traceback or a log
        return f"PinKey(id={self.id!r})"


@dataclass(frozen=True)
class PinKeyRing:
    """The current key (new hashes) and older keys (still verified, then re-hashed)."""

    current: PinKey
    previous: tuple[PinKey, ...] = ()

    def find(self, key_id: str) -> PinKey | None:
        """The key with ``key_id``, if configured."""
        for key in (self.current, *self.previous):
            if hmac.compare_digest(key.id, key_id):
                return key
        return None


def key_id(secret: bytes) -> str:
    """The public id of a key: an HMAC of a fixed label under it, shortened."""
    return hmac.new(secret, b"ivr pin key id", hashlib.sha256).hexdigest()[:KEY_ID_CHARS]


def parse_keys(text: str, source: str) -> PinKeyRing:
    """Keys from ``text`` (comma- or line-separated, current first); ``source`` names the
    setting in error messages."""
    entries = [e.strip() for line in text.splitlines() for e in line.split(",")]
    entries = [e for e in entries if e and not e.startswith("#")]
    if not entries:
        raise PinKeyError(f"{source} holds no key")
    keys = []
    for n, entry in enumerate(entries, start=1):
        if len(entry) < MIN_KEY_CHARS or entry.lower() in PLACEHOLDERS:
            raise PinKeyError(
                f"{source}: key {n} is shorter than {MIN_KEY_CHARS} characters "
                "(make one with: openssl rand -hex 32)"
            )
        secret = entry.encode("utf-8")
        keys.append(PinKey(key_id(secret), secret))
    return PinKeyRing(keys[0], tuple(keys[1:]))


def read_key_file(path: Path) -> PinKeyRing:
    """Keys from a file only its owner can read (as ssh insists for private keys)."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PinKeyError(f"IVR_PIN_KEY_FILE: cannot read {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PinKeyError(
            f"IVR_PIN_KEY_FILE: {path} is open to other users (mode {stat.S_IMODE(mode):04o}); "
            f"chmod 600 {path}"
        )
    return parse_keys(text, "IVR_PIN_KEY_FILE")


def load_pin_keys(key: str | None, key_file: Path | None) -> PinKeyRing:
    """The key ring from ``IVR_PIN_KEY`` or ``IVR_PIN_KEY_FILE`` (exactly one of them)."""
    if key and key_file:
        raise PinKeyError("set IVR_PIN_KEY or IVR_PIN_KEY_FILE, not both")
    if key_file:
        return read_key_file(key_file)
    if key:
        return parse_keys(key, "IVR_PIN_KEY")
    raise PinKeyError(
        "IVR_PIN_KEY or IVR_PIN_KEY_FILE is required: the secret that protects PIN hashes "
        "(make one with: openssl rand -hex 32; keep it out of the database and its backups)"
    )
