"""Requests the engine sends to the store and the results it gets back.

Plain frozen dataclasses so the store can answer them without importing the engine.
The store owns PIN hashing, attempt counting and lockout; the engine only reacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

PolicyKind = Literal["auto", "home", "life"]


@dataclass(frozen=True)
class CustomerInfo:
    """Who a caller is, as far as the hotline needs to know."""

    id: int
    name: str
    locked: bool
    """Self-service is locked (e.g. after too many wrong PINs across calls)."""


@dataclass(frozen=True)
class AccountInfo:
    """One bank account; only the last four digits of its number ever reach the engine."""

    kind: str
    last4: str
    balance_cents: int


@dataclass(frozen=True)
class PolicyInfo:
    """One insurance policy."""

    number: str
    kind: PolicyKind
    status: str
    """``active``, ``lapsed`` or another store status word."""
    premium_cents: int
    next_due: date | None


@dataclass(frozen=True)
class FindCustomerByPhone:
    """Look the caller up by caller ID."""

    phone: str


@dataclass(frozen=True)
class FindCustomerByAccount:
    """Look the caller up by the account number they entered."""

    account_number: str


@dataclass(frozen=True)
class VerifyPin:
    """Check a PIN; the store counts attempts and locks across calls."""

    customer_id: int
    pin: str


@dataclass(frozen=True)
class GetBalances:
    """Balances of a verified customer's accounts."""

    customer_id: int


@dataclass(frozen=True)
class GetPolicies:
    """A verified customer's insurance policies."""

    customer_id: int


@dataclass(frozen=True)
class CustomerFound:
    """Answer to both customer lookups; ``customer`` None when nobody matched."""

    customer: CustomerInfo | None
    locked_until_iso: str | None = None


@dataclass(frozen=True)
class PinChecked:
    """Answer to VerifyPin."""

    ok: bool
    locked: bool
    attempts_left: int


@dataclass(frozen=True)
class Balances:
    """Answer to GetBalances."""

    accounts: tuple[AccountInfo, ...]


@dataclass(frozen=True)
class Policies:
    """Answer to GetPolicies."""

    policies: tuple[PolicyInfo, ...]


BackendRequest = FindCustomerByPhone | FindCustomerByAccount | VerifyPin | GetBalances | GetPolicies
BackendResult = CustomerFound | PinChecked | Balances | Policies
