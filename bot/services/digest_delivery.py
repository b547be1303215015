"""Putting runs and the sender together: the scheduled check, forced runs, draining.

Used by the bot's JobQueue job, the staff commands and the `s3bot digest` CLI alike.
`run_due` takes the moment to check as `now`, so tests move the clock instead of waiting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.models import utcnow
from bot.knowledge import KnowledgeBase
from bot.services import outbox
from bot.services.digest_runs import SCHEDULE, RunSummary, create_digest_run
from bot.services.outbox_sender import DrainStats, OutboxSender, Transport
from bot.services.send_limits import RateLimiter, SendLimits

# Sender names say who claimed a row: a bot starting up may take back the claims of an
# earlier bot process, never those of a `s3bot digest send` that is still delivering.
BOT_WORKER, CLI_WORKER = "bot-", "cli-"


def worker_name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def limits_from(settings: Settings) -> SendLimits:
    return SendLimits(per_second=settings.digest_rate_per_second,
                      chat_interval=settings.digest_chat_interval_seconds,
                      group_per_minute=settings.digest_group_per_minute)


def make_sender(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, transport: Transport,
    *, limiter: RateLimiter | None = None, **options: object,
) -> OutboxSender:
    return OutboxSender(
        sessionmaker, transport, limiter or RateLimiter(limits_from(settings)),
        max_attempts=settings.digest_max_attempts, retry_seconds=settings.digest_retry_seconds,
        lease_seconds=settings.digest_lease_seconds,
        **options,  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class RunOutcome:
    summary: RunSummary
    stats: DrainStats


async def release_stale_claims(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *,
    now: datetime | None = None, worker_prefix: str | None = None,
) -> int:
    """Give claims of a crashed sender back: expired leases, and every claim by workers
    named `worker_prefix`… (an earlier bot process, when a bot starts)."""
    async with sessionmaker() as session:
        released = await outbox.release_claims(session, now or utcnow(),
                                               settings.digest_lease_seconds,
                                               worker_prefix=worker_prefix)
        await session.commit()
    return released


async def queue_run(
    sessionmaker: async_sessionmaker[AsyncSession], kb: KnowledgeBase, now: datetime,
    *, trigger: str = SCHEDULE, created_by: int | None = None,
) -> RunSummary:
    async with sessionmaker() as session:
        summary = await create_digest_run(session, kb, now, trigger=trigger,
                                          created_by=created_by)
        await session.commit()
    return summary


async def run_due(
    sessionmaker: async_sessionmaker[AsyncSession], kb: KnowledgeBase, settings: Settings,
    sender: OutboxSender, now: datetime, *, trigger: str = SCHEDULE,
    wait_for_retries: bool = False,
) -> RunOutcome:
    """Queue the digests due at `now`, then drain the outbox (every run, so unfinished
    runs from before a restart or from the CLI are completed too)."""
    await release_stale_claims(sessionmaker, settings, now=now)
    summary = await queue_run(sessionmaker, kb, now, trigger=trigger)
    stats = await sender.drain(wait_for_retries=wait_for_retries)
    return RunOutcome(summary, stats)
