"""Agent password hashing: scrypt in the plain ``scrypt$n$r$p$salt$hash`` format of
:mod:`ivr.store.pins`.

Passwords guard personal data of every caller, so they get a heavier cost than PINs
(whose per-customer lockout does most of the work). Verification reads the cost from
the stored hash, so raising ``N`` later keeps old hashes valid.
"""

from __future__ import annotations

from ivr.store import pins

N, R, P = 2**17, 8, 1
"""OWASP's minimum for scrypt: 128 MiB and a few hundred milliseconds per hash."""
MIN_LENGTH = 10
MAX_LENGTH = 1024
"""Longer inputs are refused before hashing: scrypt's cost grows with them."""


def check_strength(password: str) -> str | None:
    """Why ``password`` is not acceptable for an agent, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    if not password.strip():
        return "a password cannot be only spaces"
    return None


def hash_password(password: str, *, n: int = N) -> str:
    """``scrypt$n$r$p$salthex$hashhex`` for ``password`` with a fresh salt.

    ``n`` is a parameter for tests, which would otherwise spend most of their time here.
    """
    problem = check_strength(password)
    if problem is not None:
        raise ValueError(problem)
    return f"{pins.SCHEME}${pins.scrypt_fields(password.encode('utf-8'), n)}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded`` (constant time; malformed never matches)."""
    if len(password) > MAX_LENGTH:
        return False
    return pins.verify_scrypt(password, encoded)


def dummy_hash(n: int = N) -> str:
    """A well-formed hash no password matches, at cost ``n``: verified against when the
    username is unknown, so a wrong name costs as much time as a wrong password and
    response times do not reveal which agents exist."""
    return f"{pins.SCHEME}${n}${R}${P}${'00' * pins.SALT_BYTES}${'00' * pins.DKLEN}"
