"""Build and run the Telegram application."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import SUPPORTED_LANGUAGES, Settings
from bot.db.migrate import upgrade
from bot.handlers import (
    admin,
    ask,
    chat_moves,
    digest,
    errors,
    feedback,
    feedback_admin,
    inline,
    privacy,
    start,
    subscription,
    topics,
)
from bot.handlers.common import RUNTIME_KEY
from bot.rendering import label
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Order matters: feature handlers first, the catch-all fallbacks of `errors` last.
HANDLER_MODULES = (chat_moves, start, feedback, feedback_admin, privacy, topics, admin, inline, ask,
                   subscription, digest, errors)
PUBLIC_COMMANDS = ("start", "help", "topics", "language", "feedback", "cancel",
                   "subscribe", "subscription", "unsubscribe", "mydata", "forget")
ADMIN_COMMANDS = ("gaps", "stats", "reload", "report", "export",
                  "digest_preview", "digest_send", "digest_status", "announce")


def build_app(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    request: BaseRequest | None = None,
    migrate_on_start: bool = True,
) -> Application:
    """The application with every handler registered; `request` replaces HTTP in tests."""
    runtime = runtime or Runtime.create(settings, defer_semantic=True)
    builder = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(settings.telegram_api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init(migrate_on_start))
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_api_file_url:
        builder = builder.base_file_url(settings.telegram_api_file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    app.bot_data[RUNTIME_KEY] = runtime
    # An edited message is not a new command, answer or question: re-running it would send
    # an announcement twice or overwrite the wrong survey answer.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, _ignore), group=-10)
    # Messages of a business account's customers are not questions to this bot, and its
    # replies could not reach them without the business connection: leave them alone.
    app.add_handler(MessageHandler(filters.UpdateType.BUSINESS_MESSAGES, _ignore), group=-10)
    app.add_handler(TypeHandler(Update, errors.on_button_without_data), group=-9)
    for module in HANDLER_MODULES:
        app.add_handlers(module.HANDLERS)
    app.add_error_handler(errors.on_error)
    return app


async def _ignore(update: Update, context: object) -> None:
    raise ApplicationHandlerStop


def _post_init(migrate_on_start: bool):  # type: ignore[no-untyped-def]
    async def post_init(app: Application) -> None:
        runtime: Runtime = app.bot_data[RUNTIME_KEY]
        if migrate_on_start:
            await upgrade(runtime.engine)
            log.info("database schema is up to date")
        log.info("knowledge: %d entries indexed in %.0f ms", runtime.index.size,
                 runtime.index.build_seconds * 1000)
        await set_commands(app, runtime)
        for module in HANDLER_MODULES:  # features that schedule work register it here
            if hasattr(module, "on_startup"):
                await module.on_startup(app, runtime)
        if runtime.semantic_pending:
            log.info("semantic layer: building in the background; the lexical engine answers meanwhile")
            runtime.start_semantic(asyncio.get_running_loop())

    return post_init


async def _post_shutdown(app: Application) -> None:
    await app.bot_data[RUNTIME_KEY].engine.dispose()


async def set_commands(app: Application, runtime: Runtime) -> None:
    """Localised command menus; staff see their commands too. Failures are not fatal."""
    try:
        for lang in SUPPORTED_LANGUAGES:
            commands = [BotCommand(c, label(lang, f"cmd_{c}")) for c in PUBLIC_COMMANDS]
            code = None if lang == runtime.settings.default_language else lang
            await app.bot.set_my_commands(commands, language_code=code)
        staff = [BotCommand(c, label("en", f"cmd_{c}")) for c in PUBLIC_COMMANDS + ADMIN_COMMANDS]
        for admin_id in runtime.settings.admin_ids:
            try:
                await app.bot.set_my_commands(staff, scope=BotCommandScopeChat(admin_id))
            except TelegramError as exc:  # the admin has not started the bot yet
                log.info("no staff menu for %s: %s", admin_id, exc)
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)


def run(settings: Settings) -> None:
    """Run until stopped: webhook mode when WEBHOOK_URL is set, polling otherwise."""
    app = build_app(settings)
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.lstrip("/")
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
