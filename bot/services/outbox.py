"""The digest outbox in the database: claim rows, record each sent part, settle the outcome.

Delivery guarantee — at least once, with one documented window:

1. A row is *claimed* (status ``sending``, ``claimed_at`` = now, ``claimed_by`` = worker)
   and the claim is committed **before** any network call; no row lock is held across it.
2. Each part is sent, then recorded (``parts_sent`` + 1, its Telegram ``message_id``) in
   its own commit; after the last part the row is ``sent``.
3. A claim whose lease (``DIGEST_LEASE_SECONDS``) ran out is returned to ``pending`` and
   resumed from the first unrecorded part; recording a part renews the lease. At start-up
   a bot also returns the claims of earlier bot processes (``bot-`` workers, SQLite only):
   a live ``s3bot digest send`` may be delivering the others.
4. Recording, settling and deferring change a row only while the worker still holds its
   claim; a worker whose claim was taken (expired and re-claimed) stops working on it.

So a crash before the send (after the claim) loses nothing: the part is sent after the
restart. A part Telegram accepted but that could not be recorded (a crash, or the database
failing twice, before step 2 committed; or a claim lost while the part was in flight) is
the one window in which a subscriber may receive that part twice: the Bot API has no
idempotency key, and a send and a commit cannot be one transaction. Everything recorded is
never sent again, and the unique (run, chat) constraint means a run never holds two rows for
a chat.

On PostgreSQL claims use ``FOR UPDATE SKIP LOCKED``, so several senders can drain one
outbox without waiting for or double-claiming each other's rows. SQLite has no row locks
(the clause is dropped): run one sender there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.digest import DigestOutbox, DigestRun
from bot.services.digest_runs import give_back_period
from bot.services.subscriptions import as_utc, deactivate

PENDING, SENDING, SENT, FAILED, BLOCKED = "pending", "sending", "sent", "failed", "blocked"


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    run_id: int
    chat_id: int
    is_group: bool
    parts: tuple[str, ...]
    parts_sent: int
    buttons: tuple[tuple[str, str], ...]
    subscription_id: int | None
    attempts: int
    created_at: datetime  # the run's: network retries end a day after it
    claimed_at: datetime


def _ready(now: datetime):  # type: ignore[no-untyped-def]
    return (DigestOutbox.status == PENDING) & or_(
        DigestOutbox.not_before.is_(None), DigestOutbox.not_before <= now)


async def release_claims(
    session: AsyncSession, now: datetime, lease_seconds: float, *, all_claims: bool = False,
    worker_prefix: str | None = None,
) -> int:
    """Return expired claims, and those of workers named `worker_prefix`…, to pending.
    (`all_claims` returns every claim: only when no other sender can be running.)"""
    query = update(DigestOutbox).where(DigestOutbox.status == SENDING)
    if not all_claims:
        expired = DigestOutbox.claimed_at < now - timedelta(seconds=lease_seconds)
        if worker_prefix:
            expired = expired | DigestOutbox.claimed_by.startswith(worker_prefix,
                                                                   autoescape=True)
        query = query.where(expired)
    result = await session.execute(
        query.values(status=PENDING, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


async def claim_batch(
    session: AsyncSession, now: datetime, limit: int, worker: str, run_id: int | None = None,
    ready_at: datetime | None = None,
) -> list[ClaimedMessage]:
    """Claim up to `limit` rows ready at `ready_at` (default: now) for `worker`; the caller
    commits before sending."""
    query = select(DigestOutbox).where(_ready(ready_at or now))
    if run_id is not None:
        query = query.where(DigestOutbox.run_id == run_id)
    query = query.order_by(DigestOutbox.id).limit(limit).with_for_update(skip_locked=True)
    rows = (await session.scalars(query)).all()
    created = dict((await session.execute(
        select(DigestRun.id, DigestRun.created_at)
        .where(DigestRun.id.in_({row.run_id for row in rows})))).all()) if rows else {}
    claimed = []
    for row in rows:
        row.status, row.claimed_at, row.claimed_by = SENDING, now, worker
        claimed.append(ClaimedMessage(
            row.id, row.run_id, row.chat_id, row.is_group, tuple(row.parts), row.parts_sent,
            tuple((b[0], b[1]) for b in row.buttons or ()), row.subscription_id, row.attempts,
            as_utc(created.get(row.run_id)) or now, now))
    await session.flush()
    for row in rows:
        session.expunge(row)
    return claimed


def _held(row_id: int, worker: str):  # type: ignore[no-untyped-def]
    return ((DigestOutbox.id == row_id) & (DigestOutbox.status == SENDING)
            & (DigestOutbox.claimed_by == worker))


async def _change(session: AsyncSession, condition, **values: object) -> bool:  # type: ignore[no-untyped-def]
    """One conditional UPDATE: it re-checks the claim as it writes, so that a row re-claimed
    by another worker in the meantime is left alone (True when the row was changed)."""
    result = await session.execute(update(DigestOutbox).where(condition).values(**values)
                                   .execution_options(synchronize_session=False))
    return bool(result.rowcount)


async def record_part(
    session: AsyncSession, row_id: int, part: int, message_id: int, now: datetime, last: bool,
    *, worker: str,
) -> bool:
    """Part `part` (0-based) was delivered as `message_id`; the row is sent after the last.
    False, and nothing recorded, when `worker` no longer holds the claim."""
    held = (await session.execute(
        select(DigestOutbox.message_ids).where(_held(row_id, worker)))).first()
    if held is None:
        return False
    values: dict[str, object] = {"parts_sent": part + 1,
                                 "message_ids": [*(held[0] or []), message_id],
                                 "claimed_at": now}
    if last:
        values.update(status=SENT, sent_at=now, error=None)
    return await _change(session, _held(row_id, worker) & (DigestOutbox.parts_sent == part),
                         **values)


async def renew(session: AsyncSession, row_id: int, worker: str, now: datetime) -> bool:
    """Extend `worker`'s lease on the row; False when the claim is no longer its own."""
    return await _change(session, _held(row_id, worker), claimed_at=now)


async def claimed_chat(session: AsyncSession, row_id: int, worker: str) -> int | None:
    """The chat a row goes to while `worker` still holds its claim; None once it does not."""
    row = await session.get(DigestOutbox, row_id)
    if row is None or row.status != SENDING or row.claimed_by != worker:
        return None
    return row.chat_id


async def settle(session: AsyncSession, row_id: int, status: str, error: str, *,
                 worker: str, give_back: bool = False) -> bool:
    """Final outcome `failed` or `blocked` (False when `worker` lost the claim). A blocked
    chat's subscription is deactivated. With `give_back` (a digest that only the network kept
    from its chat) the period goes back to the subscription, so the next digest carries its
    news; not for a digest Telegram refused, which would be refused again with them."""
    if not await _change(session, _held(row_id, worker), status=status, error=error[:500]):
        return False
    run_id, sub_id = (await session.execute(
        select(DigestOutbox.run_id, DigestOutbox.subscription_id)
        .where(DigestOutbox.id == row_id))).one()
    if sub_id is not None and status == BLOCKED:
        await deactivate(session, sub_id, error)
    elif sub_id is not None and give_back:
        await give_back_period(session, sub_id, run_id)
    await session.flush()
    return True


async def defer(
    session: AsyncSession, row_id: int, not_before: datetime, error: str, *, attempt: bool,
    worker: str,
) -> bool:
    """Give a claimed row back to be retried at `not_before` (a network error counts as an
    attempt, for the backoff; a 429 does not). False when `worker` lost the claim."""
    values: dict[str, object] = {"status": PENDING, "claimed_at": None, "claimed_by": None,
                                 "not_before": not_before, "error": error[:500]}
    if attempt:
        values["attempts"] = DigestOutbox.attempts + 1
    return await _change(session, _held(row_id, worker), **values)


async def pending_rows(
    session: AsyncSession, run_id: int | None = None
) -> tuple[int, datetime | None]:
    """How many rows wait to be sent, and when the earliest deferred one becomes ready."""
    query = select(func.count(), func.min(DigestOutbox.not_before)).where(
        DigestOutbox.status == PENDING)
    if run_id is not None:
        query = query.where(DigestOutbox.run_id == run_id)
    count, earliest = (await session.execute(query)).one()
    return int(count), as_utc(earliest)
