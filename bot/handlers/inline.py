"""Inline mode: `@bot <query>` in any chat offers matching entries as results."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.error import BadRequest
from telegram.ext import InlineQueryHandler

from bot.handlers.common import (
    Context,
    Request,
    answer_text,
    answered_too_late,
    clean_text,
    short,
    with_request,
)
from bot.knowledge.markdown import to_plain_text
from bot.rendering import split_message
from bot.search import NO_MATCH

log = logging.getLogger(__name__)
MAX_INLINE_QUERY = 256
RESULTS = 5


@with_request
async def on_inline_query(update: Update, context: Context, req: Request) -> None:
    """Answer an inline query with the best-matching entries (nothing is logged)."""
    query = update.inline_query
    text = clean_text(query.query).strip()[:MAX_INLINE_QUERY]
    results = []
    if text:
        index = req.index  # one index for the whole update, even if /reload swaps it meanwhile
        found = await asyncio.to_thread(index.search, text, req.lang, RESULTS)
        entries = index.kb.entries
        matches = () if found.status == NO_MATCH else found.matches
        for match in matches:
            entry = entries[match.id]
            message = split_message(answer_text(entry, req.lang))[0]
            results.append(
                InlineQueryResultArticle(
                    id=match.id[:64],
                    title=short(entry.text(req.lang).title, 100),
                    description=short(to_plain_text(entry.text(req.lang).body), 120),
                    input_message_content=InputTextMessageContent(
                        message, parse_mode="HTML", link_preview_options=None
                    ),
                )
            )
    try:
        await query.answer(results, cache_time=60, is_personal=True)
    except BadRequest as exc:  # the user typed on: Telegram no longer wants this answer
        if not answered_too_late(exc):
            raise
        log.info("inline query answered too late: %s", exc)


HANDLERS = [InlineQueryHandler(on_inline_query)]
