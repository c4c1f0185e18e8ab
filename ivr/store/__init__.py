"""Persistence: customers, accounts, policies and the record of every call."""

from ivr.store.db import make_engine, session_factory
from ivr.store.errors import SchemaError, StoreError
from ivr.store.repo import Store, utcnow
from ivr.store.schema import create_schema, upgrade_schema
from ivr.store.views import AccountView, CustomerView, PinResult, PolicyView

__all__ = [
    "AccountView",
    "CustomerView",
    "PinResult",
    "PolicyView",
    "SchemaError",
    "Store",
    "StoreError",
    "create_schema",
    "make_engine",
    "session_factory",
    "upgrade_schema",
    "utcnow",
]
