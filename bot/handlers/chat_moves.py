"""A group upgraded to a supergroup: its digest subscription moves to the new chat id.

    service message in the old group (migrate_to_chat_id) ──┐
    service message in the new supergroup (migrate_from_chat_id) ──┴──> move_chat(old, new)

Telegram sends both messages; whichever comes first moves everything, the other finds
nothing left. Nothing is said in the chat: the move is invisible to its members.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.handlers.common import Context, Request, with_request
from bot.services.chat_moves import move_chat

log = logging.getLogger(__name__)


@with_request
async def on_migrate(update: Update, context: Context, req: Request) -> None:
    """Move the old chat's subscription and queued digests to the supergroup's id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    moved = await move_chat(req.session, old, new)
    await req.session.commit()
    if moved.subscription_moved or moved.rows_moved:
        log.info("chat %s became %s: subscription moved %s, %d queued digests moved",
                 old, new, moved.subscription_moved, len(moved.rows_moved))


HANDLERS = [MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate)]
