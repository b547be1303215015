"""Staff side of digests: announcements through the outbox, run status, the bot heartbeat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.digest import DigestHeartbeat, DigestOutbox, DigestRun
from bot.rendering import render, split_message
from bot.services.digest_runs import MANUAL, RunSummary, RunWriter, active_subscribers
from bot.services.subscriptions import as_utc

BOT_HEARTBEAT = "bot"


@dataclass(frozen=True, slots=True)
class RunStatus:
    id: int
    kind: str
    trigger: str
    created_at: datetime
    sent: int
    pending: int
    failed: int
    blocked: int
    skipped: int

    @property
    def total(self) -> int:
        return self.sent + self.pending + self.failed + self.blocked


async def create_announcement(
    session: AsyncSession, text: str, now: datetime, *, created_by: int | None = None,
    language: str | None = None, topic: str | None = None,
) -> RunSummary:
    """Queue a one-off message (plain text, escaped) to every active subscriber, or those
    with the given language, or those following `topic` (or every topic)."""
    writer = RunWriter(session, "announce", MANUAL, created_by, now)
    # None means no filter; any other value filters, "" included (it matches nobody).
    filters = {"language": language} if language is not None else None
    async for batch in active_subscribers(session, now, only_due=False, filters=filters):
        for sub in batch:
            if topic is not None and sub.topics and topic not in sub.topics:
                continue
            parts = split_message(render(sub.language, "digest_announcement", text=text))
            await writer.add(sub, parts, [])
        await writer.commit_batch(list(batch))
    return writer.summary()


async def run_statuses(session: AsyncSession, limit: int = 10) -> list[RunStatus]:
    """The latest runs, newest first, with their outbox rows counted by outcome."""
    def count(*statuses: str):  # type: ignore[no-untyped-def]
        return func.coalesce(func.sum(case((DigestOutbox.status.in_(statuses), 1), else_=0)), 0)

    rows = (await session.execute(
        select(DigestRun, count("sent"), count("pending", "sending"), count("failed"),
               count("blocked"))
        .outerjoin(DigestOutbox, DigestOutbox.run_id == DigestRun.id)
        .group_by(DigestRun.id).order_by(DigestRun.id.desc()).limit(limit)
    )).all()
    return [
        RunStatus(run.id, run.kind, run.trigger, as_utc(run.created_at), int(sent),
                  int(pending), int(failed), int(blocked), run.skipped)
        for run, sent, pending, failed, blocked in rows
    ]


async def beat(session: AsyncSession, now: datetime, name: str = BOT_HEARTBEAT) -> None:
    """Record that the bot's digest job is alive (one upserted row)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(DigestHeartbeat).values(name=name, seen_at=now)
    await session.execute(stmt.on_conflict_do_update(index_elements=[DigestHeartbeat.name],
                                                     set_={"seen_at": now}))


async def bot_is_running(
    session: AsyncSession, now: datetime, within: timedelta, name: str = BOT_HEARTBEAT
) -> bool:
    seen = await session.scalar(select(DigestHeartbeat.seen_at)
                                .where(DigestHeartbeat.name == name))
    return seen is not None and as_utc(seen) >= now - within


async def stop_heartbeat(session: AsyncSession, name: str = BOT_HEARTBEAT) -> None:
    row = await session.get(DigestHeartbeat, name)
    if row is not None:
        await session.delete(row)
