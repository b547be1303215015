"""Digest runs: pick the subscribers, build each digest and write it to the outbox.

A run writes one outbox row per chat (unique per run) and advances the subscription in the
same transaction, so a subscriber is either in the run with their schedule moved on, or
still due. Subscribers are processed in batches committed one by one: a large run never
holds the write lock for long, memory stays flat, and after a crash between batches the
remaining subscribers are still due and the next check puts them in a new run.

Queuing a digest moves `last_digest_at` on to the run's time before the digest is delivered;
if the delivery finally fails, `give_back_period` moves it back, so the next digest covers
that period too instead of it being lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.knowledge import KnowledgeBase
from bot.services.digest_build import build_digest, digest_buttons, render_digest
from bot.services.digest_content import DigestSources, load_sources
from bot.services.digest_feedback import ServiceFeedback, feedback_highlights
from bot.services.digest_schedule import period_start
from bot.services.subscriptions import GROUP_TYPES, as_utc, reschedule

BATCH = 500
SCHEDULE, MANUAL, NOW = "schedule", "manual", "now"
DIGEST = "digest"  # the run kind that moves `last_digest_at` (announcements do not)


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: int | None  # None: nobody was due
    queued: int
    skipped: int


class RunWriter:
    """Creates the run row lazily, so that a check with nobody due leaves no trace."""

    def __init__(self, session: AsyncSession, kind: str, trigger: str, by: int | None,
                 now: datetime) -> None:
        self.session, self.kind, self.trigger, self.by, self.now = session, kind, trigger, by, now
        self.run: DigestRun | None = None
        self.queued = self.skipped = 0
        self._written: list[object] = []

    async def ensure(self) -> DigestRun:
        if self.run is None:
            self.run = DigestRun(kind=self.kind, trigger=self.trigger, created_by=self.by,
                                 created_at=self.now, skipped=0)
            self.session.add(self.run)
            await self.session.flush()
        return self.run

    async def add(self, sub: DigestSubscription, parts: list[str], buttons: list) -> None:  # type: ignore[type-arg]
        run = await self.ensure()
        row = DigestOutbox(
            run_id=run.id, chat_id=sub.chat_id, subscription_id=sub.id,
            is_group=sub.chat_type in GROUP_TYPES, parts=parts, buttons=buttons,
            status="pending", parts_sent=0, message_ids=[], attempts=0,
        )
        self.session.add(row)
        self._written.append(row)
        self.queued += 1

    async def commit_batch(self, batch: list[DigestSubscription]) -> None:
        """Commit, then forget the batch's objects so that memory does not grow."""
        await self.session.commit()
        for obj in [*batch, *self._written]:
            self.session.expunge(obj)
        self._written.clear()

    async def skip(self) -> None:
        run = await self.ensure()
        run.skipped += 1
        self.skipped += 1

    def summary(self) -> RunSummary:
        return RunSummary(self.run.id if self.run else None, self.queued, self.skipped)


async def active_subscribers(session: AsyncSession, now: datetime, only_due: bool,
                       filters: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    """Active subscriptions in id order, one batch at a time (keyset pagination)."""
    last_id = 0
    while True:
        query = select(DigestSubscription).where(
            DigestSubscription.active.is_(True), DigestSubscription.id > last_id)
        if only_due:
            query = query.where(DigestSubscription.next_due_at <= now)
        for key, value in (filters or {}).items():
            query = query.where(getattr(DigestSubscription, key) == value)
        query = query.order_by(DigestSubscription.id).limit(BATCH)
        if only_due and session.bind.dialect.name == "postgresql":
            # A concurrent scheduled run skips the rows this one is queuing; once committed
            # they are rescheduled and no longer due, so nobody gets the digest twice.
            query = query.with_for_update(skip_locked=True)
        batch = (await session.scalars(query)).all()
        if not batch:
            return
        yield batch
        last_id = batch[-1].id


async def create_digest_run(
    session: AsyncSession,
    kb: KnowledgeBase,
    now: datetime,
    *,
    trigger: str = SCHEDULE,
    created_by: int | None = None,
) -> RunSummary:
    """Queue digests: the subscribers due at `now`, or (trigger NOW) every active one."""
    sources = await load_sources(session, kb, now)
    writer = RunWriter(session, DIGEST, trigger, created_by, now)
    feedback_cache: dict[datetime, list[ServiceFeedback]] = {}
    async for batch in active_subscribers(session, now, only_due=trigger != NOW):
        for sub in batch:
            await _queue_digest(writer, sources, sub, now, feedback_cache)
            if trigger != NOW:  # a forced run leaves the regular schedule alone
                reschedule(sub, now)
        await writer.commit_batch(list(batch))
    return writer.summary()


async def _queue_digest(writer: RunWriter, sources: DigestSources, sub: DigestSubscription,
                        now: datetime, feedback_cache: dict) -> None:  # type: ignore[type-arg]
    since = period_start(as_utc(sub.last_digest_at), now)
    if since not in feedback_cache:
        feedback_cache[since] = await feedback_highlights(writer.session, since, now)
    digest = build_digest(sources, lang=sub.language, topics=tuple(sub.topics or ()),
                          sent_funfacts=sub.sent_funfacts or [], since=since, until=now,
                          feedback=feedback_cache[since])
    if not digest.has_news and not sub.send_empty:
        await writer.skip()
        return
    await writer.add(sub, render_digest(digest), digest_buttons(sub.language, sub.id))
    sub.last_digest_at = now
    if digest.funfact is not None:
        sent = [] if digest.funfacts_reset else list(sub.sent_funfacts or [])
        sub.sent_funfacts = [*sent, digest.funfact.id]


async def preview_digest(
    session: AsyncSession, kb: KnowledgeBase, now: datetime, *, lang: str,
    topics: tuple[str, ...] = (), subscription: DigestSubscription | None = None,
) -> tuple[list[str], bool]:
    """The next digest as it would be sent (to `subscription`, or a first digest with
    `lang` and `topics`), without recording anything as sent. Returns (messages, whether
    there is anything new besides the fun fact)."""
    sources = await load_sources(session, kb, now)
    last = as_utc(subscription.last_digest_at) if subscription else None
    since = period_start(last, now)
    digest = build_digest(
        sources, lang=subscription.language if subscription else lang,
        topics=tuple(subscription.topics or ()) if subscription else topics,
        sent_funfacts=subscription.sent_funfacts or [] if subscription else [],
        since=since, until=now, feedback=await feedback_highlights(session, since, now))
    return render_digest(digest, preview=True), digest.has_news


async def give_back_period(session: AsyncSession, sub_id: int, run_id: int) -> None:
    """The digest of run `run_id` to subscription `sub_id` finally failed: move the
    subscription's `last_digest_at` back to where that digest started.

    Queuing a digest set `last_digest_at` to its run's `created_at`, so the period a digest
    started from is the creation time of the subscription's previous digest run that was
    not itself given back (failed), or none for a first digest. If a later digest was
    queued meanwhile, going back further than it only repeats some of its news: better than
    losing the failed period. (The fun fact the failed digest used stays marked as seen.)
    """
    run = await session.get(DigestRun, run_id)
    sub = await session.get(DigestSubscription, sub_id)
    if run is None or sub is None or run.kind != DIGEST or sub.last_digest_at is None:
        return
    since = as_utc(await session.scalar(
        select(func.max(DigestRun.created_at))
        .join(DigestOutbox, DigestOutbox.run_id == DigestRun.id)
        .where(DigestOutbox.subscription_id == sub_id, DigestRun.kind == DIGEST,
               DigestRun.created_at < run.created_at, DigestOutbox.status != "failed")))
    if since is None or since < as_utc(sub.last_digest_at):
        sub.last_digest_at = since
