"""What the digest feature keeps about a person, for /mydata and /forget.

A user's subscriptions are their private chat's and those of the groups or channels they
subscribed; delivery records are the outbox rows of those subscriptions and of their own
chat (announcements included). /forget deletes their own chat's; a group's or channel's
subscription serves its other members too, so it stays, without the user's id.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.services.subscriptions import as_utc


def _iso(moment) -> str | None:  # type: ignore[no-untyped-def]
    moment = as_utc(moment)
    return moment.isoformat() if moment else None


async def _subscriptions(session: AsyncSession, user_id: int) -> list[DigestSubscription]:
    return list((await session.scalars(
        select(DigestSubscription).where(or_(DigestSubscription.user_id == user_id,
                                             DigestSubscription.chat_id == user_id))
        .order_by(DigestSubscription.id))).all())


def _outbox_filter(user_id: int, sub_ids: list[int]):  # type: ignore[no-untyped-def]
    return or_(DigestOutbox.chat_id == user_id, DigestOutbox.subscription_id.in_(sub_ids))


async def subscription_data(session: AsyncSession, user_id: int) -> dict:  # type: ignore[type-arg]
    """A plain, JSON-able summary of the user's subscriptions and delivery records."""
    subs = await _subscriptions(session, user_id)
    rows = (await session.scalars(
        select(DigestOutbox).where(_outbox_filter(user_id, [s.id for s in subs]))
        .order_by(DigestOutbox.id))).all()
    return {
        "subscriptions": [
            {
                "chat_id": s.chat_id, "chat_type": s.chat_type, "chat_title": s.chat_title,
                "frequency": s.frequency, "weekday": s.weekday,
                "time": f"{s.hour:02d}:{s.minute:02d}", "timezone": s.timezone,
                "topics": list(s.topics or []), "language": s.language,
                "send_empty": s.send_empty, "active": s.active,
                "inactive_reason": s.inactive_reason, "next_due_at": _iso(s.next_due_at),
                "last_digest_at": _iso(s.last_digest_at),
                "fun_facts_sent": list(s.sent_funfacts or []),
                "created_at": _iso(s.created_at),
            }
            for s in subs
        ],
        "deliveries": [
            {
                "run_id": r.run_id, "chat_id": r.chat_id, "status": r.status,
                "messages": len(r.parts), "sent_at": _iso(r.sent_at), "error": r.error,
            }
            for r in rows
        ],
    }


async def forget_subscriptions(session: AsyncSession, user_id: int) -> int:
    """Delete the subscription and delivery records of the user's own chat, and take the
    user's id off the group and channel subscriptions and digest runs they made (their other
    members keep their digests); returns the rows deleted."""
    subs = await _subscriptions(session, user_id)
    own = [s.id for s in subs if s.chat_id == user_id]
    shared = [s.id for s in subs if s.chat_id != user_id]
    outbox = await session.execute(
        delete(DigestOutbox).where(_outbox_filter(user_id, own))
        .execution_options(synchronize_session=False))
    if shared:  # (before the user row goes: its foreign key would delete them with it)
        await session.execute(update(DigestSubscription).where(DigestSubscription.id.in_(shared))
                              .values(user_id=None).execution_options(synchronize_session=False))
    await session.execute(update(DigestRun).where(DigestRun.created_by == user_id)
                          .values(created_by=None).execution_options(synchronize_session=False))
    deleted = await session.execute(
        delete(DigestSubscription).where(DigestSubscription.id.in_(own))
        .execution_options(synchronize_session=False))
    return int(outbox.rowcount or 0) + int(deleted.rowcount or 0)
