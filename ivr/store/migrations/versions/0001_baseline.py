"""Baseline: the schema as it was when migrations began (``create_all`` of that release).

A database made before Alembic is stamped at this revision by ``ivr db upgrade``, after the
last ad-hoc step of that era (widening caller-ID columns, :mod:`ivr.store.migrate`).

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ivr.store.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


TABLES = (
    "agent_login_failures",
    "agents",
    "caller_pin_failures",
    "customers",
    "accounts",
    "agent_sessions",
    "calls",
    "policies",
    "call_streams",
    "prompts",
    "transfers",
    "turns",
    "utterance_recordings",
)
"""In creation order: every table after the tables it refers to."""


def _create_agent_login_failures() -> None:
    op.create_table(
        "agent_login_failures",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )


def _create_agents() -> None:
    op.create_table(
        "agents",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )


def _create_caller_pin_failures() -> None:
    op.create_table(
        "caller_pin_failures",
        sa.Column("caller_phone", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("caller_phone"),
    )


def _create_customers() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=False),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone"),
    )


def _create_accounts() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=34), nullable=False),
        sa.Column("balance_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind IN ('checking', 'savings')", name="account_kind"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_customer_id"), ["customer_id"], unique=False)


def _create_agent_sessions() -> None:
    op.create_table(
        "agent_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["agents.username"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("agent_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agent_sessions_username"), ["username"], unique=False)


def _create_calls() -> None:
    op.create_table(
        "calls",
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("from_number", sa.String(length=255), nullable=False),
        sa.Column("to_number", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("asr_engine", sa.String(length=32), nullable=True),
        sa.Column("disposition_note", sa.Text(), nullable=True),
        sa.Column("taken_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "status IN ('in-progress', 'completed', 'transferred', 'abandoned', 'failed')",
            name="call_status",
        ),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("call_sid"),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calls_started_at"), ["started_at"], unique=False)


def _create_policies() -> None:
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=34), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("premium_cents", sa.BigInteger(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.CheckConstraint("kind IN ('auto', 'home', 'life')", name="policy_kind"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policies_customer_id"), ["customer_id"], unique=False)


def _create_call_streams() -> None:
    op.create_table(
        "call_streams",
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("stream_sid", sa.String(length=64), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["call_sid"], ["calls.call_sid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("call_sid"),
    )


def _create_prompts() -> None:
    op.create_table(
        "prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("mark", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["call_sid"], ["calls.call_sid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prompts_call_sid"), ["call_sid"], unique=False)


def _create_transfers() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("dial_status", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["call_sid"], ["calls.call_sid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_sid"),
    )


def _create_turns() -> None:
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("menu", sa.String(length=64), nullable=False),
        sa.Column("input", sa.String(length=8), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("input IN ('speech', 'keys', 'none')", name="turn_input"),
        sa.ForeignKeyConstraint(["call_sid"], ["calls.call_sid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_sid", "seq", name="turn_seq"),
    )


def _create_utterance_recordings() -> None:
    op.create_table(
        "utterance_recordings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("turn_seq", sa.Integer(), nullable=False),
        sa.Column("menu", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["call_sid"], ["calls.call_sid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("utterance_recordings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_utterance_recordings_expires_at"), ["expires_at"], unique=False
        )


CREATE_STEPS = (
    _create_agent_login_failures,
    _create_agents,
    _create_caller_pin_failures,
    _create_customers,
    _create_accounts,
    _create_agent_sessions,
    _create_calls,
    _create_policies,
    _create_call_streams,
    _create_prompts,
    _create_transfers,
    _create_turns,
    _create_utterance_recordings,
)


def upgrade() -> None:
    for create in CREATE_STEPS:
        create()


def downgrade() -> None:
    # Dropping a table drops its indexes; newest first, so no foreign key dangles.
    for table in reversed(TABLES):
        op.drop_table(table)
