"""The outbox sender's Telegram side: send one message, translate errors.

A plain `telegram.Bot` is used rather than the application's bot: the application's rate
limiter would add its own waits and silent retries, while the digest sender paces itself
(see `bot/services/send_limits.py`) and must see every 429 to honour it.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.services.outbox_sender import (
    ChatMoved,
    ChatUnavailable,
    Rejected,
    RetryLater,
    TemporaryFailure,
)

GONE_PHRASES = ("chat not found", "user not found", "bot was kicked", "chat was deleted",
                "have no rights to send", "not enough rights", "peer_id_invalid")


class TelegramTransport:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str, buttons: tuple[tuple[str, str], ...]) -> int:
        markup = None
        if buttons:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(text=label, callback_data=data)] for label, data in buttons])
        try:
            message = await self.bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                disable_web_page_preview=True)
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc)) from exc
        except Forbidden as exc:
            raise ChatUnavailable(f"forbidden: {exc.message}") from exc
        except ChatMigrated as exc:
            raise ChatMoved(exc.new_chat_id) from exc
        except BadRequest as exc:
            if any(p in exc.message.lower() for p in GONE_PHRASES):
                raise ChatUnavailable(exc.message) from exc
            raise Rejected(exc.message) from exc
        except NetworkError as exc:  # includes TimedOut
            raise TemporaryFailure(str(exc)) from exc
        except TelegramError as exc:
            raise TemporaryFailure(str(exc)) from exc
        return message.message_id


def _seconds(exc: RetryAfter) -> float:
    # PTB keeps a timedelta; its public property is mid-deprecation between int and timedelta.
    value = getattr(exc, "_retry_after", None)
    return value.total_seconds() if isinstance(value, timedelta) else float(exc.retry_after)


def plain_bot(app_bot: Bot) -> Bot:
    """A Bot sharing the application's token, API server and HTTP client, without the
    application's rate limiter."""
    return Bot(app_bot.token, base_url=app_bot.base_url.removesuffix(app_bot.token),
               request=app_bot.request)
