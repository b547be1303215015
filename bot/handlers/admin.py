"""Staff commands: /gaps, /stats, /reload (ADMIN_IDS only)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler

from bot.handlers.common import Context, Request, admin_only, reply, with_request
from bot.rendering import render
from bot.runtime import KnowledgeError
from bot.services.gaps import gaps_report
from bot.services.stats import usage_stats

log = logging.getLogger(__name__)
DEFAULT_DAYS = 30
MAX_DAYS = 3650


def _days(context: Context) -> int | None:
    """The optional day count argument; None when it is not a sensible number."""
    if not context.args:
        return DEFAULT_DAYS
    arg = context.args[0]
    if not arg.isdigit() or not 1 <= int(arg) <= MAX_DAYS:
        return None
    return int(arg)


@with_request
@admin_only
async def on_gaps(update: Update, context: Context, req: Request) -> None:
    """Frequent unanswered or unhelpful questions, and phrasings learnt from "did you mean"."""
    days = _days(context)
    if days is None:
        await reply(update, render(req.lang, "bad_days", command="gaps", max_days=MAX_DAYS))
        return
    report = await gaps_report(req.session, days)
    titles = {eid: e.title for eid, e in req.index.kb.entries.items()}
    await reply(update, render(req.lang, "gaps", report=report, titles=titles))


@with_request
@admin_only
async def on_stats(update: Update, context: Context, req: Request) -> None:
    """Questions, answer rate and helpful rate."""
    days = _days(context)
    if days is None:
        await reply(update, render(req.lang, "bad_days", command="stats", max_days=MAX_DAYS))
        return
    stats = await usage_stats(req.session, days)
    await reply(update, render(req.lang, "stats", stats=stats, entries=req.index.size))


@with_request
@admin_only
async def on_reload(update: Update, context: Context, req: Request) -> None:
    """Reload the knowledge folder without a restart; keep the old index on errors."""
    try:
        index = await req.runtime.reload()
    except KnowledgeError as exc:
        await reply(update, render(req.lang, "reload_failed", errors=str(exc)))
        return
    await reply(update, render(
        req.lang, "reloaded", entries=index.size, warnings=len(index.kb.warnings),
        ms=round(index.build_seconds * 1000),
    ))


HANDLERS = [
    CommandHandler("gaps", on_gaps),
    CommandHandler("stats", on_stats),
    CommandHandler("reload", on_reload),
]
