"""Staff commands: /gaps, /stats, /reload (ADMIN_IDS only)."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.ext import CommandHandler

from bot.handlers.common import Context, Request, admin_only, private_only, reply, with_request
from bot.rendering import render
from bot.runtime import KnowledgeError
from bot.services.gaps import gaps_report
from bot.services.stats import usage_stats

log = logging.getLogger(__name__)
DEFAULT_DAYS = 30
MAX_DAYS = 3650
_DAYS = re.compile(r"[0-9]{1,4}")  # ASCII only: "²".isdigit() is True, but int("²") fails


async def _days(update: Update, context: Context, req: Request, command: str) -> int | None:
    """The optional day count argument; None (after telling the user) when it is not sensible."""
    if not context.args:
        return DEFAULT_DAYS
    arg = context.args[0]
    if _DAYS.fullmatch(arg) and 1 <= int(arg) <= MAX_DAYS:
        return int(arg)
    await reply(update, render(req.lang, "bad_days", command=command, max_days=MAX_DAYS))
    return None


@with_request
@admin_only
async def on_gaps(update: Update, context: Context, req: Request) -> None:
    """Frequent unanswered or unhelpful questions, and phrasings learnt from "did you mean".

    Users' questions are personal data: never posted into a group."""
    if not await private_only(update, context, req):
        return
    days = await _days(update, context, req, "gaps")
    if days is None:
        return
    report = await gaps_report(req.session, days)
    titles = {eid: e.title for eid, e in req.index.kb.entries.items()}
    await reply(update, render(req.lang, "gaps", report=report, titles=titles))


@with_request
@admin_only
async def on_stats(update: Update, context: Context, req: Request) -> None:
    """Questions, answer rate and helpful rate."""
    days = await _days(update, context, req, "stats")
    if days is None:
        return
    stats = await usage_stats(req.session, days)
    await reply(update, render(req.lang, "stats", stats=stats, entries=req.index.size))


@with_request
@admin_only
async def on_reload(update: Update, context: Context, req: Request) -> None:
    """Reload the knowledge folder without a restart; keep the old index on errors."""
    if req.runtime.semantic_building:  # the reload waits for it: say why it takes a while
        await reply(update, render(req.lang, "reload_waiting"))
    try:
        index = await req.runtime.reload()
    except KnowledgeError as exc:
        await reply(update, render(req.lang, "reload_failed", errors=str(exc)))
        return
    await reply(update, render(
        req.lang, "reloaded", entries=index.size, warnings=len(index.kb.warnings),
        ms=round(index.build_seconds * 1000),
    ))


# /gaps (grouping thousands of questions) and /reload (rebuilding the index, minutes while
# the semantic layer is built) run as tasks, so that the bot keeps answering everyone else
# meanwhile; two reloads still run one after the other (`Runtime.reload` holds a lock).
HANDLERS = [
    CommandHandler("gaps", on_gaps, block=False),
    CommandHandler("stats", on_stats),
    CommandHandler("reload", on_reload, block=False),
]
