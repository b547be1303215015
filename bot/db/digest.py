"""Tables of the digest feature: subscriptions, runs, the outbox, and what the digests saw.

The outbox has one row per (run, chat): the unique constraint is what makes a run safe to
re-create or resume after a crash without writing a second message for the same chat.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class DigestSubscription(Base):
    """A chat (private, group or channel) that receives digests.

    `topics` empty means every topic. `weekday` 0 = Monday; a monthly digest goes out on the
    first such weekday of the month. `next_due_at` (UTC) is the schedule kept in the
    database; `last_digest_at` is the end of the period the last sent digest covered.
    """

    __tablename__ = "digest_subscriptions"
    __table_args__ = (UniqueConstraint("chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    chat_type: Mapped[str] = mapped_column(String(16), default="private")
    chat_title: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    frequency: Mapped[str] = mapped_column(String(8), default="weekly")
    topics: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int] = mapped_column(Integer, default=0)
    hour: Mapped[int] = mapped_column(Integer, default=9)
    minute: Mapped[int] = mapped_column(Integer, default=0)
    send_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(100))
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_funfacts: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DigestRun(Base):
    """One dissemination run: scheduled digests, a forced send, or an announcement."""

    __tablename__ = "digest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="digest")  # digest / announce
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")  # schedule/manual/now
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # nothing new: no message


class DigestOutbox(Base):
    """One message (possibly in several parts) for one chat in one run.

    status: pending → sending (claimed, lease in `claimed_at`) → sent | failed | blocked.
    `parts_sent` and `message_ids` record progress part by part, so a resumed row never
    repeats a part whose send was recorded.
    """

    __tablename__ = "digest_outbox"
    __table_args__ = (UniqueConstraint("run_id", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("digest_runs.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("digest_subscriptions.id", ondelete="SET NULL"), index=True
    )
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    parts: Mapped[list] = mapped_column(JSON)  # type: ignore[type-arg]
    buttons: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    message_ids: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class DigestEntryVersion(Base):
    """A fingerprint of each knowledge entry, to notice entries added or changed."""

    __tablename__ = "digest_entry_versions"

    entry_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DigestNewsSeen(Base):
    """When the digests first saw each news file (`news_id` is "YYYY-MM-DD-slug").

    A digest announces the news first seen within its period, so a news file added after
    that day's digest, or dated back, still reaches everyone once. The row with id
    `(baseline)` records the first look, whose news were seeded by their file date.
    """

    __tablename__ = "digest_news_seen"

    news_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DigestHeartbeat(Base):
    """When a running bot's digest job last ticked; the CLI leaves delivery to it if recent."""

    __tablename__ = "digest_heartbeats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
