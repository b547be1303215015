"""/start, /help and /language.

    /language ──buttons──> lang:<code> ──> preference saved, reply in the new language
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import SUPPORTED_LANGUAGES
from bot.handlers import feedback
from bot.handlers.common import Context, Request, answer_button, edit_or_reply, reply, with_request
from bot.rendering import label, render
from bot.services.users import set_language


@with_request
async def on_start(update: Update, context: Context, req: Request) -> None:
    """Welcome: what the bot can do, in the user's language; deep links open a survey."""
    if context.args and context.args[0].startswith("fb_"):
        await feedback.start_for_service(update, context, req, context.args[0][3:])
        return
    if context.args and context.args[0] == "feedback":
        await feedback.open_feedback(update, context, req)
        return
    name = update.effective_user.first_name if update.effective_user else ""
    await reply(update, render(req.lang, "start", name=name, entries=req.index.size))


@with_request
async def on_help(update: Update, context: Context, req: Request) -> None:
    """The commands and how to ask."""
    await reply(update, render(req.lang, "help", is_admin=req.runtime.is_admin(req.user.id)))


def _language_markup(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + label(code, "language_name"),
            callback_data=f"lang:{code}",
        )
        for code in SUPPORTED_LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons[:3], buttons[3:]])


@with_request
async def on_language(update: Update, context: Context, req: Request) -> None:
    """Offer the supported languages as buttons."""
    await reply(update, render(req.lang, "language_prompt"), _language_markup(req.lang))


@with_request
async def on_language_chosen(update: Update, context: Context, req: Request) -> None:
    """Save the chosen language and confirm in it."""
    query = update.callback_query
    code = (query.data or "").partition(":")[2]
    if not await set_language(req.session, req.user.id, code):
        await answer_button(update, label(req.lang, "stale_button"))
        return
    await req.session.commit()
    await answer_button(update)
    await edit_or_reply(update, render(code, "language_set"), _language_markup(code))


HANDLERS = [
    CommandHandler("start", on_start),
    CommandHandler("help", on_help),
    CommandHandler("language", on_language),
    CallbackQueryHandler(on_language_chosen, pattern=r"^lang:[a-z]{2}$"),
]
