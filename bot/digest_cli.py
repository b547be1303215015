"""`s3bot digest preview | send | status`: digests from the terminal.

`send` queues a run; when a bot is running (its heartbeat is recent) the bot delivers it,
otherwise the command drains the outbox itself, with the same limits and error handling. It
waits up to RETRY_WAIT for digests held up by network trouble; those still waiting after
that stay queued (for a day) and go with the next `send`, or with the bot once it runs.
"""

from __future__ import annotations

import argparse
import html
import re
from datetime import timedelta

from bot.config import SUPPORTED_LANGUAGES, Settings
from bot.db.models import utcnow

HEARTBEAT_GRACE = 3  # tick periods without a heartbeat before the bot counts as stopped
RETRY_WAIT = 600.0  # seconds the command waits for retries before leaving them queued


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    digest = sub.add_parser("digest", help="subscriber digests")
    digest_sub = digest.add_subparsers(dest="digest_command", required=True)
    preview = digest_sub.add_parser("preview", help="print the next digest")
    preview.add_argument("--lang", choices=SUPPORTED_LANGUAGES, help="digest language")
    preview.add_argument("--topics", nargs="*", default=[], help="topics (tags); default all")
    preview.add_argument("--html", action="store_true", help="print Telegram HTML as is")
    send = digest_sub.add_parser("send", help="start a run of due digests")
    send.add_argument("--now", action="store_true",
                      help="every active subscriber at once, whatever their schedule")
    digest_sub.add_parser("status", help="runs with sent / pending / failed / blocked counts")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.migrate import upgrade
    from bot.runtime import Runtime

    runtime = Runtime.create(settings, semantic=False)  # reads the knowledge, answers nothing
    try:
        await upgrade(runtime.engine)
        command = {"preview": _preview, "send": _send, "status": _status}[args.digest_command]
        return await command(args, runtime)
    finally:
        await runtime.engine.dispose()


def to_terminal(text: str) -> str:
    """Telegram HTML as plain text: links keep their address, tags go, entities decode."""
    text = re.sub(r'<a href="([^"]*)">(.*?)</a>', r"\2 (\1)", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def _preview(args: argparse.Namespace, runtime) -> int:  # type: ignore[no-untyped-def]
    from bot.services.digest_runs import preview_digest

    async with runtime.sessionmaker() as session:
        parts, has_news = await preview_digest(
            session, runtime.index.kb, utcnow(), lang=args.lang or runtime.settings.default_language,
            topics=tuple(args.topics))
        await session.rollback()
    if not has_news:
        print("(nothing new apart from the fun fact: a scheduled digest would be skipped)\n")
    for i, part in enumerate(parts):
        if i:
            print("\n" + "─" * 40 + "\n")
        print(part if args.html else to_terminal(part))
    return 0


async def _send(args: argparse.Namespace, runtime) -> int:  # type: ignore[no-untyped-def]
    from telegram import Bot

    from bot.handlers.digest_transport import TelegramTransport
    from bot.services.digest_admin import bot_is_running
    from bot.services.digest_delivery import (
        CLI_WORKER,
        make_sender,
        queue_run,
        release_stale_claims,
        worker_name,
    )
    from bot.services.digest_runs import MANUAL, NOW
    from bot.services.outbox import pending_rows

    settings = runtime.settings
    now = utcnow()
    summary = await queue_run(runtime.sessionmaker, runtime.index.kb, now,
                              trigger=NOW if args.now else MANUAL)
    if summary.run_id is None:
        print("Nobody is due for a digest; use --now to send to every active subscriber.")
    else:
        print(f"Run #{summary.run_id}: {summary.queued} queued, {summary.skipped} skipped.")
    async with runtime.sessionmaker() as session:
        alive = await bot_is_running(
            session, now, timedelta(seconds=settings.digest_tick_seconds * HEARTBEAT_GRACE))
    if alive:
        print("The running bot delivers it; `s3bot digest status` shows the progress.")
        return 0
    await release_stale_claims(runtime.sessionmaker, settings)
    bot = Bot(settings.token(), base_url=settings.telegram_api_base_url)
    async with bot:
        sender = make_sender(runtime.sessionmaker, settings, TelegramTransport(bot),
                             worker=worker_name(CLI_WORKER))
        stats = await sender.drain(wait_for_retries=True, max_wait=RETRY_WAIT)
    print(f"Delivered: {stats.sent} sent, {stats.blocked} blocked, {stats.failed} failed "
          f"({stats.messages} messages, {stats.too_many_requests} rate-limit answers).")
    async with runtime.sessionmaker() as session:
        waiting, _ = await pending_rows(session)
    if waiting:
        print(f"{waiting} waiting for Telegram to be reachable again: run `s3bot digest send` "
              "later, or start the bot, to retry them.")
    return 0


async def _status(args: argparse.Namespace, runtime) -> int:  # type: ignore[no-untyped-def]
    from bot.services.digest_admin import run_statuses

    async with runtime.sessionmaker() as session:
        runs = await run_statuses(session, limit=20)
    if not runs:
        print("No digest runs yet.")
    for run in runs:
        print(f"#{run.id:<5} {run.kind:<9} {run.trigger:<9} {run.created_at:%Y-%m-%d %H:%M} UTC  "
              f"sent {run.sent}  pending {run.pending}  failed {run.failed}  "
              f"blocked {run.blocked}  skipped {run.skipped}")
    return 0
