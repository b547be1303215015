"""Questions in plain text, and the buttons under answers.

    text message ──search──┬─ answered  → answer + related buttons + 👍/👎
                           ├─ ambiguous → "did you mean" buttons ──pick──→ answer
                           └─ no_match  → "no answer yet", /topics hint (logged for curators)

Callback data: `ans:<entry>` open an entry, `dym:<question>:<entry>` pick a suggestion,
`hlp:<question>:<1|0>` say whether an answer helped.
"""

from __future__ import annotations

import asyncio
import unicodedata

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.handlers.common import (
    Context,
    Request,
    answer_button,
    entry_button,
    message_text,
    reply,
    send_answer,
    with_request,
)
from bot.rendering import label, render
from bot.search import AMBIGUOUS, ANSWERED
from bot.services.questions import record_helpful, record_question, record_resolution

MAX_QUESTION_CHARS = 500


def visible_text(text: str) -> str:
    """The text without control and invisible format characters (zero-width spaces, NUL)."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf")
                   or ch in "\n\t").strip()


@with_request
async def on_question(update: Update, context: Context, req: Request) -> None:
    """A plain text message in a private chat is a question for the knowledge base."""
    text = visible_text(message_text(update))
    if not any(ch.isalnum() for ch in text):  # blank, invisible characters, emoji only
        await reply(update, render(req.lang, "empty_question"))
        return
    if len(text) > MAX_QUESTION_CHARS:
        await reply(update, render(req.lang, "question_too_long", limit=MAX_QUESTION_CHARS))
        return
    # Off the event loop: with the semantic layer a search takes tens of milliseconds.
    index = req.index  # one index for the whole update, even if /reload swaps it meanwhile
    result = await asyncio.to_thread(index.search, text, req.lang)
    recorded = await record_question(req.session, req.user.id or None, result)
    await req.session.commit()
    entries = index.kb.entries
    if result.status == ANSWERED:
        await send_answer(update, req, entries[result.best.id], recorded.id)
    elif result.status == AMBIGUOUS:
        rows = [
            [entry_button(entries[m.id], req.lang, f"dym:{recorded.id}:{m.id}")]
            for m in result.suggestions
        ]
        await reply(update, render(req.lang, "did_you_mean", question=text),
                    InlineKeyboardMarkup(rows))
    else:
        await reply(update, render(req.lang, "no_match", question=text))


@with_request
async def on_open_entry(update: Update, context: Context, req: Request) -> None:
    """A related-entry or topic button: show that entry."""
    query = update.callback_query
    entry = req.index.kb.entries.get(query.data.split(":", 1)[1])
    if entry is None:
        await answer_button(update, label(req.lang, "stale_button"))
        return
    await answer_button(update)
    await send_answer(update, req, entry, None)


@with_request
async def on_did_you_mean(update: Update, context: Context, req: Request) -> None:
    """The user picked one of the suggestions for an ambiguous question."""
    query = update.callback_query
    _, question_id, entry_id = query.data.split(":", 2)
    entry = req.index.kb.entries.get(entry_id)
    if entry is None or not question_id.isdigit():
        await answer_button(update, label(req.lang, "stale_button"))
        return
    own = await record_resolution(req.session, int(question_id), req.user.id, entry_id)
    await req.session.commit()
    await answer_button(update)
    await send_answer(update, req, entry, int(question_id) if own else None)


@with_request
async def on_helpful(update: Update, context: Context, req: Request) -> None:
    """👍/👎 under an answer; pressing again changes the vote."""
    query = update.callback_query
    _, question_id, vote = query.data.split(":")
    if not question_id.isdigit() or vote not in ("0", "1"):
        await answer_button(update, label(req.lang, "stale_button"))
        return
    stored = await record_helpful(req.session, int(question_id), req.user.id, vote == "1")
    await req.session.commit()
    if not stored:
        await answer_button(update, label(req.lang, "stale_button"))
        return
    await answer_button(update, label(req.lang, "thanks_helpful" if vote == "1" else "thanks_unhelpful"))


HANDLERS = [
    MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, on_question),
    CallbackQueryHandler(on_open_entry, pattern=r"^ans:[a-z0-9-]+$"),
    CallbackQueryHandler(on_did_you_mean, pattern=r"^dym:[0-9]{1,18}:[a-z0-9-]+$"),
    CallbackQueryHandler(on_helpful, pattern=r"^hlp:[0-9]{1,18}:[01]$"),
]
