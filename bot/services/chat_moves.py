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
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.digest import DigestOutbox
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
    upgrade), that one is kept and the old one is deactivated rather than merged.
    """
    if old_chat_id == new_chat_id:
        return ChatMove(False, (), ())
    moved = False
    if (old := await subscription_for_chat(session, old_chat_id)) is not None:
        if await subscription_for_chat(session, new_chat_id) is None:
            old.chat_id, old.chat_type, old.updated_at = new_chat_id, "supergroup", utcnow()
            moved = True
        else:
            await deactivate(session, old.id, f"moved to {new_chat_id}, which has its own")
    rows = (await session.scalars(select(DigestOutbox).where(
        DigestOutbox.chat_id == old_chat_id, DigestOutbox.status.in_((PENDING, SENDING))))).all()
    taken = set((await session.scalars(select(DigestOutbox.run_id).where(
        DigestOutbox.chat_id == new_chat_id))).all())
    kept, dropped = [], []
    for row in rows:
        if row.run_id in taken:  # a run holds one row per chat
            row.status, row.error = FAILED, f"chat moved to {new_chat_id}, which has its own copy"
            dropped.append(row.id)
        else:
            row.chat_id = new_chat_id
            kept.append(row.id)
    await session.flush()
    return ChatMove(moved, tuple(kept), tuple(dropped))
