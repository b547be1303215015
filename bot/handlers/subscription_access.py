"""Who may manage which chat's digest subscription.

A private chat belongs to its user; a group or channel to its administrators (asked from
Telegram each time: rights change) and to project staff.
A group or channel can also be named from a private chat (`/subscribe @channel`,
`/unsubscribe @channel`, `/subscription @channel`), since a channel cannot send commands.
"""

from __future__ import annotations

import logging
import re

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.handlers.common import Context, Request, release_db

log = logging.getLogger(__name__)
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
SHARED_TYPES = (ChatType.CHANNEL, ChatType.GROUP, ChatType.SUPERGROUP)
_USERNAME = re.compile(r"@[A-Za-z0-9_]{1,64}")
_SHARED_ID = re.compile(r"-[0-9]{1,20}")  # groups and channels have negative ids


def chat_reference(arg: str) -> str | int | None:
    """"@username" or a group's or channel's id, as Telegram takes it; None for anything else."""
    if _USERNAME.fullmatch(arg):
        return arg
    return int(arg) if _SHARED_ID.fullmatch(arg) else None


async def is_chat_admin(context: Context, chat_id: int, user_id: int) -> bool:
    try:
        await release_db()  # no database lock held while Telegram answers
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.info("cannot check membership of %s in %s: %s", user_id, chat_id, exc)
        return False
    return member.status in ADMIN_STATUSES


def _sent_as_the_chat(update: Update, sub_chat_id: int) -> bool:
    """A command sent on behalf of the subscribed chat itself, in that chat: an anonymous
    administrator of a group writes as the group (only administrators can).

    Only a command: under a button press, `message` is the message with the buttons (for a
    channel's digest, the channel's own post), which says nothing about who pressed. And only
    when the message is in that chat: a channel's post auto-forwarded to its discussion group,
    or a member writing there as the channel, has the channel as sender_chat.
    """
    message = update.message
    if update.callback_query is not None or message is None or message.sender_chat is None:
        return False
    return message.sender_chat.id == message.chat.id == sub_chat_id


async def may_manage(update: Update, context: Context, req: Request, sub_chat_id: int,
                     chat_type: str) -> bool:
    """Private chats belong to their user; groups and channels to their administrators."""
    if _sent_as_the_chat(update, sub_chat_id):
        return True
    if chat_type == ChatType.PRIVATE:
        return sub_chat_id == req.user.id or req.runtime.is_admin(req.user.id)
    if req.runtime.is_admin(req.user.id):
        return True
    # Asked each time, also of the person who subscribed the chat: someone who has since
    # lost their rights there must not keep changing or stopping its digest.
    return await is_chat_admin(context, sub_chat_id, req.user.id)


async def named_chat(context: Context, target: str) -> Chat | None:
    """The group or channel named by "@username" or its numeric id, if Telegram knows it."""
    if (reference := chat_reference(target)) is None:
        return None
    try:
        await release_db()
        chat = await context.bot.get_chat(reference)
    except TelegramError as exc:
        log.info("cannot find chat %s: %s", target, exc)
        return None
    return chat if chat.type in SHARED_TYPES else None


async def managed_chat(context: Context, req: Request, target: str) -> Chat | None:
    """`named_chat`, if the user administers it (project staff manage every chat)."""
    chat = await named_chat(context, target)
    if chat is None or not (req.runtime.is_admin(req.user.id)
                            or await is_chat_admin(context, chat.id, req.user.id)):
        return None
    return chat
