"""Digest scheduling and staff commands: /digest_preview, /digest_send, /digest_status,
/announce.

Schedules live in the database (`next_due_at` per subscription); PTB's JobQueue keeps jobs
in memory only, so `on_startup` registers two repeating jobs with stable names: the due
check (`digest:due`, which also drains the outbox) and the heartbeat the CLI looks at. A
digest that fell due while the bot was down is sent once by the first check after start-up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import func, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler

from bot.config import SUPPORTED_LANGUAGES
from bot.db.digest import DigestSubscription
from bot.db.models import utcnow
from bot.handlers.common import RUNTIME_KEY, Context, Request, admin_only, message_text, reply, with_request
from bot.handlers.digest_transport import TelegramTransport, plain_bot
from bot.rendering import render
from bot.runtime import Runtime
from bot.services import digest_admin, subscriptions
from bot.services.digest_delivery import (
    BOT_WORKER,
    limits_from,
    make_sender,
    queue_run,
    release_stale_claims,
    run_due,
    worker_name,
)
from bot.services.digest_runs import MANUAL, NOW, preview_digest
from bot.services.send_limits import RateLimiter

log = logging.getLogger(__name__)
DUE_JOB, HEARTBEAT_JOB = "digest:due", "digest:heartbeat"
_STATE_KEY = "digest_state"


class DigestState:
    """Per-application: one drain at a time, one limiter shared by every drain, one sender
    name (a `bot-` name, so that the next start knows these claims are a dead bot's)."""

    def __init__(self, runtime: Runtime) -> None:
        self.lock = asyncio.Lock()
        self.limiter = RateLimiter(limits_from(runtime.settings))
        self.worker = worker_name(BOT_WORKER)


def _state(app: Application) -> DigestState:
    state = app.bot_data.get(_STATE_KEY)
    if state is None:
        state = app.bot_data[_STATE_KEY] = DigestState(app.bot_data[RUNTIME_KEY])
    return state


def _sender(app: Application, runtime: Runtime):  # type: ignore[no-untyped-def]
    transport = TelegramTransport(plain_bot(app.bot))
    state = _state(app)
    return make_sender(runtime.sessionmaker, runtime.settings, transport,
                       limiter=state.limiter, worker=state.worker)


async def check_due(app: Application, now: Any = None) -> None:
    """Queue what is due at `now` and drain the outbox; skipped if a drain is running."""
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    state = _state(app)
    if state.lock.locked():
        return
    async with state.lock:
        outcome = await run_due(runtime.sessionmaker, runtime.index.kb, runtime.settings,
                                _sender(app, runtime), now or utcnow())
    if outcome.summary.run_id or outcome.stats.messages:
        log.info("digest: run %s queued %d, skipped %d; sent %d, blocked %d, failed %d",
                 outcome.summary.run_id, outcome.summary.queued, outcome.summary.skipped,
                 outcome.stats.sent, outcome.stats.blocked, outcome.stats.failed)


async def drain(app: Application) -> None:
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    state = _state(app)
    if state.lock.locked():  # the running drain picks the new rows up
        return
    async with state.lock:
        await _sender(app, runtime).drain(wait_for_retries=False)


async def _due_job(context: Context) -> None:
    await check_due(context.application)


async def _heartbeat_job(context: Context) -> None:
    runtime: Runtime = context.application.bot_data[RUNTIME_KEY]
    async with runtime.sessionmaker() as session:
        await digest_admin.beat(session, utcnow())
        await session.commit()


async def on_startup(app: Application, runtime: Runtime) -> None:
    """Re-register the digest jobs (jobs are not persisted) and free a crashed run's claims:
    expired ones, and on SQLite (one bot per database) every claim of an earlier bot. A
    `s3bot digest send` started while the bot was down may still be delivering its own."""
    single_bot = runtime.engine.dialect.name == "sqlite"
    released = await release_stale_claims(runtime.sessionmaker, runtime.settings,
                                          worker_prefix=BOT_WORKER if single_bot else None)
    if released:
        log.info("digest: %d interrupted sends will be resumed", released)
    if app.job_queue is None:
        log.warning("digest: no JobQueue (install python-telegram-bot[job-queue]); "
                    "scheduled digests are off")
        return
    for name in (DUE_JOB, HEARTBEAT_JOB):
        for job in app.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    tick = runtime.settings.digest_tick_seconds
    app.job_queue.run_repeating(_heartbeat_job, interval=tick, first=0, name=HEARTBEAT_JOB)
    app.job_queue.run_repeating(_due_job, interval=tick, first=1, name=DUE_JOB)


@with_request
@admin_only
async def on_digest_preview(update: Update, context: Context, req: Request) -> None:
    """Send the admin their next digest as it would be sent (nothing is recorded)."""
    sub = await subscriptions.subscription_for_chat(req.session, req.user.id)
    parts, has_news = await preview_digest(req.session, req.index.kb, utcnow(), lang=req.lang,
                                           subscription=sub)
    # The rollback expires the loaded rows: what is needed is read before it.
    send_empty, buttons = False, None
    if sub is not None:
        from bot.services.digest_build import digest_buttons

        send_empty, buttons = bool(sub.send_empty), digest_buttons(sub.language, sub.id)
    await req.session.rollback()  # the preview must not move anyone's "seen" markers
    if not has_news and not send_empty:
        await reply(update, render(req.lang, "digest_preview_none"))
    markup = None
    if buttons is not None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)]
                                       for t, d in buttons])
    for i, part in enumerate(parts):
        await reply(update, part, markup if i == len(parts) - 1 else None)


@with_request
@admin_only
async def on_digest_send(update: Update, context: Context, req: Request) -> None:
    """Queue a run now (due subscribers; `now`: every active subscriber) and drain it."""
    forced = bool(context.args) and context.args[0].lower() == "now"
    summary = await queue_run(req.runtime.sessionmaker, req.index.kb, utcnow(),
                              trigger=NOW if forced else MANUAL, created_by=req.user.id)
    await reply(update, render(req.lang, "digest_run_started", summary=summary, announce=False))
    if summary.queued:
        context.application.create_task(drain(context.application), update=update)


@with_request
@admin_only
async def on_digest_status(update: Update, context: Context, req: Request) -> None:
    runs = await digest_admin.run_statuses(req.session)
    active = await req.session.scalar(select(func.count()).select_from(DigestSubscription)
                                      .where(DigestSubscription.active.is_(True)))
    await reply(update, render(req.lang, "digest_status", runs=runs, active=int(active or 0)))


@with_request
@admin_only
async def on_announce(update: Update, context: Context, req: Request) -> None:
    """`/announce [lang:xx] [topic:tag] text` — a one-off message through the outbox."""
    text, filters = _announcement(message_text(update))
    if not text:
        await reply(update, render(req.lang, "digest_announce_usage"))
        return
    bad = _bad_filter(filters, req.index.kb.tags)
    if bad is not None:  # a typo must not send the announcement to everyone, or to nobody
        key, choices = bad
        await reply(update, render(req.lang, "digest_announce_bad_filter", key=key,
                                   value=filters["language" if key == "lang" else "topic"],
                                   choices=choices))
        return
    summary = await digest_admin.create_announcement(
        req.session, text, utcnow(), created_by=req.user.id, **filters)
    await req.session.commit()
    await reply(update, render(req.lang, "digest_run_started", summary=summary, announce=True))
    if summary.queued:
        context.application.create_task(drain(context.application), update=update)


def _announcement(message: str) -> tuple[str, dict[str, str]]:
    """The text after the command and its leading `lang:xx` / `topic:tag` filters."""
    rest = message.split(maxsplit=1)[1] if len(message.split(maxsplit=1)) > 1 else ""
    filters: dict[str, str] = {}
    while (word := rest.split(maxsplit=1)[0] if rest.strip() else "").startswith(
            ("lang:", "topic:")):
        key, value = word.split(":", 1)
        filters["language" if key == "lang" else "topic"] = value
        rest = rest.lstrip()[len(word):]  # the filters may be on lines of their own
    return rest.strip(), filters


def _bad_filter(filters: dict[str, str], tags: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """Normalise the filters in place (lower case); the first unusable one, as the filter's
    name and the values it accepts. An empty value (`lang: it`) is unusable too."""
    for name, key, choices in (("language", "lang", SUPPORTED_LANGUAGES), ("topic", "topic", tags)):
        if name in filters:
            filters[name] = filters[name].lower()
            if filters[name] not in choices:
                return key, tuple(choices)
    return None


HANDLERS = [
    CommandHandler("digest_preview", on_digest_preview),
    CommandHandler("digest_send", on_digest_send),
    CommandHandler("digest_status", on_digest_status),
    CommandHandler("announce", on_announce),
]
