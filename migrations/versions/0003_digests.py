"""Digests: subscriptions, runs, outbox, entry versions, heartbeats.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_type", sa.String(length=16), nullable=False),
        sa.Column("chat_title", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("send_empty", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("inactive_reason", sa.String(length=100), nullable=True),
        sa.Column("next_due_at", TZ, nullable=True),
        sa.Column("last_digest_at", TZ, nullable=True),
        sa.Column("sent_funfacts", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_digest_subscriptions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_digest_subscriptions_chat_id")),
    )
    op.create_index(op.f("ix_digest_subscriptions_user_id"), "digest_subscriptions",
                    ["user_id"])
    op.create_index(op.f("ix_digest_subscriptions_active"), "digest_subscriptions", ["active"])
    op.create_index(op.f("ix_digest_subscriptions_next_due_at"), "digest_subscriptions",
                    ["next_due_at"])
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_runs")),
    )
    op.create_table(
        "digest_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", TZ, nullable=True),
        sa.Column("claimed_at", TZ, nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["digest_runs.id"],
                                name=op.f("fk_digest_outbox_run_id_digest_runs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subscription_id"], ["digest_subscriptions.id"],
                                name=op.f("fk_digest_outbox_subscription_id_digest_subscriptions"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_outbox")),
        sa.UniqueConstraint("run_id", "chat_id", name=op.f("uq_digest_outbox_run_id")),
    )
    op.create_index(op.f("ix_digest_outbox_run_id"), "digest_outbox", ["run_id"])
    op.create_index(op.f("ix_digest_outbox_chat_id"), "digest_outbox", ["chat_id"])
    op.create_index(op.f("ix_digest_outbox_subscription_id"), "digest_outbox",
                    ["subscription_id"])
    op.create_index(op.f("ix_digest_outbox_status"), "digest_outbox", ["status"])
    op.create_table(
        "digest_entry_versions",
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("changed_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_digest_entry_versions")),
    )
    op.create_table(
        "digest_heartbeats",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("seen_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_digest_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("digest_heartbeats")
    op.drop_table("digest_entry_versions")
    for column in ("status", "subscription_id", "chat_id", "run_id"):
        op.drop_index(op.f(f"ix_digest_outbox_{column}"), table_name="digest_outbox")
    op.drop_table("digest_outbox")
    op.drop_table("digest_runs")
    for column in ("next_due_at", "active", "user_id"):
        op.drop_index(op.f(f"ix_digest_subscriptions_{column}"),
                      table_name="digest_subscriptions")
    op.drop_table("digest_subscriptions")
