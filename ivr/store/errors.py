"""The one exception the store raises, so callers can handle a database outage in one place."""

from __future__ import annotations


class StoreError(Exception):
    """The database could not be reached or refused an operation.

    Wraps the underlying SQLAlchemy/driver error as ``__cause__``. The message is safe to
    log: it never contains a PIN or any other secret passed to the store.
    """


class SchemaError(StoreError):
    """The database's schema is not one this version serves; the message says what to run."""
