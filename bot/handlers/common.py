"""What every handler shares: the per-update request (one DB session), replies, keyboards."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.knowledge import Entry
from bot.rendering import label, render, split_message
from bot.runtime import Runtime
from bot.services.users import UserInfo, effective_language, touch_user

log = logging.getLogger(__name__)
RUNTIME_KEY = "runtime"
_current_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)
Context = ContextTypes.DEFAULT_TYPE
BUTTON_TITLE_CHARS = 60
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_EXPIRED_QUERY = ("query is too old", "query id is invalid")
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class Request:
    """One update's view of the world: runtime objects, a DB session and the user."""

    runtime: Runtime
    session: AsyncSession
    user: UserInfo

    @property
    def lang(self) -> str:
        return self.user.language

    @property
    def index(self):  # type: ignore[no-untyped-def]
        return self.runtime.index


def get_runtime(context: Context) -> Runtime:
    return context.bot_data[RUNTIME_KEY]


Handler = Callable[[Update, Context, Request], Awaitable[Any]]


def with_request(func: Handler) -> Callable[[Update, Context], Awaitable[Any]]:
    """Open one DB session for the update, record the user, pass a Request to the handler.

    The user row is committed at once so that no write transaction stays open while the
    handler talks to Telegram; handlers commit their own writes before replying.
    """

    @functools.wraps(func)
    async def wrapper(update: Update, context: Context) -> Any:
        runtime = get_runtime(context)
        async with runtime.sessionmaker() as session:
            token = _current_session.set(session)
            try:
                return await _handle(func, update, context, runtime, session)
            finally:
                _current_session.reset(token)

    return wrapper


async def _handle(func: Handler, update: Update, context: Context, runtime: Runtime,
                  session: AsyncSession) -> Any:
    """Record the user, run the handler with a Request, commit what it left open."""
    tg_user = update.effective_user
    settings = runtime.settings
    if tg_user is not None:
        user = await touch_user(
            session,
            tg_user.id,
            tg_user.language_code,
            is_admin=runtime.is_admin(tg_user.id),
            default_language=settings.default_language,
        )
        await session.commit()
    else:  # channel posts and the like carry no user
        lang = effective_language(None, None, settings.default_language)
        user = UserInfo(0, lang, None, "user", first_seen=None)  # type: ignore[arg-type]
    result = await func(update, context, Request(runtime, session, user))
    await session.commit()
    return result


async def release_db() -> None:
    """End the update's open transaction before a network call.

    On SQLite every transaction holds the write lock (BEGIN IMMEDIATE), so a transaction left
    open while Telegram answers would make every other writer wait, the digest sender included.
    """
    session = _current_session.get()
    if session is not None and session.in_transaction():
        await session.commit()


def clean_text(text: str) -> str:
    """User text fit to store, search and echo.

    The Bot API's JSON may carry a lone surrogate, which no database (UTF-8) and no encoder
    takes: it becomes U+FFFD.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


def message_text(update: Update) -> str:
    """The cleaned text of the update's message; "" when it has none."""
    message = update.effective_message
    return clean_text((message.text if message is not None else None) or "")


async def answer_button(update: Update, text: str | None = None, show_alert: bool = False) -> None:
    """Answer the update's button press (the toast, or just stop the spinner).

    The transaction ends first, so no write lock is held while Telegram answers (or while the
    rate limiter waits out a flood limit). A press answered too late (the bot was down or
    busy) cannot be answered any more; that is no reason to drop the rest of the handler's work.
    """
    query = update.callback_query
    if query is None:
        return
    await release_db()
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        if not answered_too_late(exc):
            raise
        log.info("button press answered too late: %s", exc)


def answered_too_late(exc: BadRequest) -> bool:
    """Telegram no longer takes an answer to this button press or inline query."""
    return any(reason in str(exc).lower() for reason in _EXPIRED_QUERY)


def admin_only(func: Handler) -> Handler:
    """Run the handler for project staff only; everyone else gets a polite refusal."""

    @functools.wraps(func)
    async def wrapper(update: Update, context: Context, req: Request) -> Any:
        if not req.runtime.is_admin(req.user.id):
            await reply(update, render(req.lang, "not_admin"))
            return None
        return await func(update, context, req)

    return wrapper


async def private_only(update: Update, context: Context, req: Request, start: str = "") -> bool:
    """True in a private chat; elsewhere, point to one (personal data stays out of groups)."""
    chat = update.effective_chat
    if chat is None or chat.type == "private":
        return True
    # Telegram takes a start parameter of up to 64 of [A-Za-z0-9_-]; anything else (a forged
    # invitation) would make a broken link, so the link then only opens the chat.
    valid = _START_PARAMETER.fullmatch(start) is not None
    link = f"https://t.me/{context.bot.username}" + (f"?start={start}" if valid else "")
    await answer_button(update)
    await reply(update, render(req.lang, "private_only", link=link))
    return False


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send `text` (split if needed) to the update's chat; the keyboard goes on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    await release_db()
    parts = split_message(text)
    sent = None
    for i, part in enumerate(parts):
        sent = await chat.send_message(
            part,
            reply_markup=markup if i == len(parts) - 1 else None,
            disable_web_page_preview=True,
        )
    return sent


async def edit_or_reply(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the message a button belongs to; if that is impossible, send a new one."""
    await release_db()
    query = update.callback_query
    if query is not None and query.message is not None and len(text) <= 4096:
        try:
            await query.edit_message_text(text, reply_markup=markup,
                                          disable_web_page_preview=True)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit message, sending a new one: %s", exc)
        except Forbidden:
            return
    await reply(update, text, markup)


def short(text: str, limit: int = BUTTON_TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def entry_button(entry: Entry, lang: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(short(entry.text(lang).title), callback_data=data)


def answer_text(entry: Entry, lang: str) -> str:
    text = entry.text(lang)
    return render(
        lang,
        "answer",
        title=text.title,
        body=text.body_html,
        sources=entry.sources_in(lang),
        untranslated=lang != text.lang,
    )


def answer_markup(
    entry: Entry, lang: str, question_id: int | None, runtime: Runtime
) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    entries = runtime.index.kb.entries
    for rel in entry.related[:4]:
        if rel in entries:
            related = entries[rel]
            rows.append([entry_button(related, lang, f"ans:{rel}")])
    if question_id is not None:
        rows.append([
            InlineKeyboardButton(label(lang, "helpful_yes"), callback_data=f"hlp:{question_id}:1"),
            InlineKeyboardButton(label(lang, "helpful_no"), callback_data=f"hlp:{question_id}:0"),
        ])
    return InlineKeyboardMarkup(rows) if rows else None


async def send_answer(
    update: Update, req: Request, entry: Entry, question_id: int | None
) -> Message | None:
    return await reply(
        update,
        answer_text(entry, req.lang),
        answer_markup(entry, req.lang, question_id, req.runtime),
    )
