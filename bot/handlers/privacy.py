"""/mydata shows what the bot stores about the user; /forget deletes it after a confirmation.

    /forget ──> "delete everything?" [Yes, delete] [No] ──pr:yes──> deleted
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.handlers.common import (
    Context,
    Request,
    answer_button,
    edit_or_reply,
    private_only,
    reply,
    with_request,
)
from bot.knowledge.surveys import localized
from bot.rendering import label, render
from bot.services.privacy import forget, my_data


@with_request
async def on_mydata(update: Update, context: Context, req: Request) -> None:
    """Everything stored about the user, in plain words (private chats only)."""
    if not await private_only(update, context, req):
        return
    data = await my_data(req.session, req.user.id)
    services = req.index.kb.services
    responses = [(localized(services[s].name, req.lang) if s in services else s, r, t)
                 for s, r, t in data.responses]
    await reply(update, render(req.lang, "privacy_mydata", data=data, responses=responses))


@with_request
async def on_forget(update: Update, context: Context, req: Request) -> None:
    """Ask for confirmation before deleting anything (private chats only)."""
    if not await private_only(update, context, req):
        return
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(label(req.lang, "pr_confirm"), callback_data="pr:yes"),
        InlineKeyboardButton(label(req.lang, "pr_keep"), callback_data="pr:no"),
    ]])
    await reply(update, render(req.lang, "privacy_confirm"), markup)


@with_request
async def on_forget_answer(update: Update, context: Context, req: Request) -> None:
    """Delete (pr:yes) or keep (pr:no) the user's data."""
    if not await private_only(update, context, req):
        return
    query = update.callback_query
    await answer_button(update)
    if query.data != "pr:yes":
        await edit_or_reply(update, render(req.lang, "privacy_kept"), None)
        return
    lang = req.lang  # the language preference itself is deleted too
    result = await forget(req.session, req.user.id)
    await req.session.commit()
    await edit_or_reply(update, render(lang, "privacy_forgotten", result=result), None)


HANDLERS = [
    CommandHandler("mydata", on_mydata),
    CommandHandler("forget", on_forget),
    CallbackQueryHandler(on_forget_answer, pattern=r"^pr:(yes|no)$"),
]
