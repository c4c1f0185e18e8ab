"""Alembic migrations of the store's schema (``ivr db upgrade``; see :mod:`ivr.store.schema`)."""
