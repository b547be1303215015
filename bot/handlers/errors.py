"""Fallbacks and the error handler: nothing a user sends may crash the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot.handlers.common import Context, Request, answer_button, get_runtime, reply, with_request
from bot.rendering import label, render
from bot.services.users import effective_language

log = logging.getLogger(__name__)


@with_request
async def on_stale_button(update: Update, context: Context, req: Request) -> None:
    """A press on a button this version does not know (an old message): answer quietly."""
    await answer_button(update, label(req.lang, "stale_button"))


async def on_button_without_data(update: Update, context: Context) -> None:
    """A button press that carries no data (a forged or a game query): answer it as stale.

    A pattern-matching CallbackQueryHandler accepts a query without data, so without this
    guard the first feature handler would take it and fail on the missing data.
    """
    query = update.callback_query
    if query is None or query.data or query.game_short_name:
        return
    await on_stale_button(update, context)
    raise ApplicationHandlerStop


@with_request
async def on_unknown_command(update: Update, context: Context, req: Request) -> None:
    """A /command the bot does not have."""
    await reply(update, render(req.lang, "unknown_command"))


@with_request
async def on_not_text(update: Update, context: Context, req: Request) -> None:
    """Stickers, photos, voice, files: the bot reads text questions only."""
    await reply(update, render(req.lang, "not_text"))


async def on_error(update: object, context: Context) -> None:
    """Log the traceback and tell the user, politely, that something went wrong."""
    error = context.error
    if isinstance(error, Forbidden):  # the user blocked the bot: nothing to say to them
        log.info("forbidden: %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network error: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    settings = get_runtime(context).settings
    lang = effective_language(None, user.language_code if user else None,
                              settings.default_language)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await reply(update, render(lang, "error"))
    except Exception:  # the chat may be gone; the error is logged already
        log.warning("could not tell the user about the error", exc_info=True)


# Registered last: they catch what no feature handler took.
HANDLERS = [
    MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, on_unknown_command),
    MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL & filters.ChatType.PRIVATE,
                   on_not_text),
    CallbackQueryHandler(on_stale_button),
]
