"""Persistence: customers, accounts, policies and the record of every call."""

from ivr.store.db import create_schema, make_engine, session_factory
from ivr.store.errors import StoreError
from ivr.store.repo import Store, utcnow
from ivr.store.views import AccountView, CustomerView, PinResult, PolicyView

__all__ = [
    "AccountView",
    "CustomerView",
    "PinResult",
    "PolicyView",
    "Store",
    "StoreError",
    "create_schema",
    "make_engine",
    "session_factory",
    "utcnow",
]
