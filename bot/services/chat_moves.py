"""A group that became a supergroup: its subscription and queued digests follow it.

Telegram gives the supergroup a new chat id, and the old id stops working. The bot learns the
new id from the service message in either chat (`migrate_to_chat_id` in the old group,
`migrate_from_chat_id` in the new one) or, if it missed both, from the error a digest send
gets ("group chat was upgraded to a supergroup chat", with the new id). Every path calls
`move_chat`; it may run more than once for one move, and a later call finds nothing to move.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.digest import DigestOutbox, DigestSubscription
from bot.db.models import utcnow
from bot.services.outbox import FAILED, PENDING, SENDING
from bot.services.subscriptions import deactivate, subscription_for_chat


@dataclass(frozen=True, slots=True)
class ChatMove:
    subscription_moved: bool
    rows_moved: tuple[int, ...]  # outbox rows now addressed to the new chat
    rows_dropped: tuple[int, ...]  # ... or failed: the new chat has its own row in that run


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> ChatMove:
    """Readdress the old chat's subscription and undelivered digests to the new chat id.

    If the new chat already has a subscription of its own (someone subscribed it after the
    upgrade, even in a race with this move), that one is kept: the old one is deactivated and
    its undelivered digests are dropped, so the chat never gets two digests, nor one it
    unsubscribed from.
    """
    if old_chat_id == new_chat_id:
        return ChatMove(False, (), ())
    moved, dropped_subscription = False, None
    if (old := await subscription_for_chat(session, old_chat_id)) is not None:
        old_id = old.id  # (a refused change expires the object: no lazy load after it)
        if await subscription_for_chat(session, new_chat_id) is None:
            moved = await _readdress(session, old, new_chat_id)
        if not moved:
            await deactivate(session, old_id, f"moved to {new_chat_id}, which has its own")
            dropped_subscription = old_id
    rows = (await session.scalars(select(DigestOutbox).where(
        DigestOutbox.chat_id == old_chat_id, DigestOutbox.status.in_((PENDING, SENDING))))).all()
    taken = set((await session.scalars(select(DigestOutbox.run_id).where(
        DigestOutbox.chat_id == new_chat_id))).all())
    kept, dropped = [], []
    for row in rows:  # a run holds one row per chat
        if row.run_id in taken or (dropped_subscription and row.subscription_id == dropped_subscription):
            row.status, row.error = FAILED, f"chat moved to {new_chat_id}, which has its own digest"
            dropped.append(row.id)
        else:
            row.chat_id = new_chat_id
            kept.append(row.id)
    await session.flush()
    return ChatMove(moved, tuple(kept), tuple(dropped))


async def _readdress(session: AsyncSession, sub: DigestSubscription, new_chat_id: int) -> bool:
    """Give the subscription the new chat id; False if the new chat got one of its own
    meanwhile (the unique chat id refuses the change)."""
    try:
        async with session.begin_nested():
            sub.chat_id, sub.chat_type, sub.updated_at = new_chat_id, "supergroup", utcnow()
    except IntegrityError:
        return False
    return True
