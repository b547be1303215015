"""The digest outbox in the database: claim rows, record each sent part, settle the outcome.

Delivery guarantee — at least once, with one documented window:

1. A row is *claimed* (status ``sending``, ``claimed_at`` = now, ``claimed_by`` = worker)
   and the claim is committed **before** any network call; no row lock is held across it.
2. Each part is sent, then recorded (``parts_sent`` + 1, its Telegram ``message_id``) in
   its own commit; after the last part the row is ``sent``.
3. A claim whose lease (``DIGEST_LEASE_SECONDS``) ran out is returned to ``pending`` and
   resumed from the first unrecorded part. At start-up a single-sender bot (SQLite) returns
   every ``sending`` row at once, since no other sender can hold it.

So a crash before the send (after the claim) loses nothing: the part is sent after the
restart. A crash *after Telegram accepted a part but before step 2 committed* is the one
window in which a subscriber may receive that part twice: the Bot API has no idempotency
key, and a send and a commit cannot be one transaction. Everything recorded is never sent
again, and the unique (run, chat) constraint means a run never holds two rows for a chat.

On PostgreSQL claims use ``FOR UPDATE SKIP LOCKED``, so several senders can drain one
outbox without waiting for or double-claiming each other's rows. SQLite has no row locks
(the clause is dropped): run one sender there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.digest import DigestOutbox
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


def _ready(now: datetime):  # type: ignore[no-untyped-def]
    return (DigestOutbox.status == PENDING) & or_(
        DigestOutbox.not_before.is_(None), DigestOutbox.not_before <= now)


async def release_claims(
    session: AsyncSession, now: datetime, lease_seconds: float, *, all_claims: bool = False
) -> int:
    """Return expired claims (or, for a lone sender starting up, all claims) to pending."""
    query = update(DigestOutbox).where(DigestOutbox.status == SENDING)
    if not all_claims:
        query = query.where(DigestOutbox.claimed_at < now - timedelta(seconds=lease_seconds))
    result = await session.execute(
        query.values(status=PENDING, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


async def claim_batch(
    session: AsyncSession, now: datetime, limit: int, worker: str, run_id: int | None = None
) -> list[ClaimedMessage]:
    """Claim up to `limit` ready rows for `worker`; the caller commits before sending."""
    query = select(DigestOutbox).where(_ready(now))
    if run_id is not None:
        query = query.where(DigestOutbox.run_id == run_id)
    query = query.order_by(DigestOutbox.id).limit(limit).with_for_update(skip_locked=True)
    rows = (await session.scalars(query)).all()
    claimed = []
    for row in rows:
        row.status, row.claimed_at, row.claimed_by = SENDING, now, worker
        claimed.append(ClaimedMessage(
            row.id, row.run_id, row.chat_id, row.is_group, tuple(row.parts), row.parts_sent,
            tuple((b[0], b[1]) for b in row.buttons or ()), row.subscription_id, row.attempts))
    await session.flush()
    for row in rows:
        session.expunge(row)
    return claimed


async def record_part(
    session: AsyncSession, row_id: int, part: int, message_id: int, now: datetime, last: bool
) -> None:
    """Part `part` (0-based) was delivered as `message_id`; the row is sent after the last."""
    row = await session.get(DigestOutbox, row_id)
    if row is None:
        return
    row.parts_sent = part + 1
    row.message_ids = [*(row.message_ids or []), message_id]
    if last:
        row.status, row.sent_at, row.error = SENT, now, None
    await session.flush()


async def claimed_chat(session: AsyncSession, row_id: int, worker: str) -> int | None:
    """The chat a row goes to while `worker` still holds its claim; None once it does not."""
    row = await session.get(DigestOutbox, row_id)
    if row is None or row.status != SENDING or row.claimed_by != worker:
        return None
    return row.chat_id


async def settle(session: AsyncSession, row_id: int, status: str, error: str) -> None:
    """Final outcome `failed` or `blocked`; a blocked chat's subscription is deactivated."""
    row = await session.get(DigestOutbox, row_id)
    if row is None:
        return
    row.status, row.error = status, error[:500]
    if status == BLOCKED and row.subscription_id is not None:
        await deactivate(session, row.subscription_id, error)
    await session.flush()


async def defer(
    session: AsyncSession, row_id: int, not_before: datetime, error: str, *, attempt: bool
) -> None:
    """Give a claimed row back to be retried at `not_before` (a network error counts as an
    attempt; a 429 does not)."""
    row = await session.get(DigestOutbox, row_id)
    if row is None:
        return
    row.status, row.claimed_at, row.claimed_by = PENDING, None, None
    row.not_before, row.error = not_before, error[:500]
    if attempt:
        row.attempts += 1
    await session.flush()


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
