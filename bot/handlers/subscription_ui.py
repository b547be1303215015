"""Keyboards and texts of the subscription settings (no handlers here).

Callback data: `sub:<subscription id>:<action>[:<value>]`, within Telegram's 64 bytes (a topic
too long to fit is named by a hash of it, see `topic_value`).
"""

from __future__ import annotations

import hashlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage

from bot.config import SUPPORTED_LANGUAGES
from bot.rendering import label, render
from bot.services.digest_schedule import FREQUENCIES, PARTNER_TIMEZONES, STAFF_ONLY_FREQUENCIES
from bot.services.subscriptions import SubscriptionView

TIMEZONE_CHOICES = (*PARTNER_TIMEZONES, "UTC")
HOUR_CHOICES = tuple(range(6, 22))
CALLBACK_DATA_BYTES = 64  # Telegram refuses a keyboard with longer callback data
_HASHED_TOPIC = "_"  # tags match [a-z0-9-]+, so a value starting with "_" is never a tag


def _button(text: str, sub: SubscriptionView, action: str, value: str | None = None
            ) -> InlineKeyboardButton:
    data = f"sub:{sub.id}:{action}" + (f":{value}" if value is not None else "")
    return InlineKeyboardButton(text, callback_data=data)


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def _back(lang: str, sub: SubscriptionView) -> list[InlineKeyboardButton]:
    return [_button(label(lang, "sub_btn_back"), sub, "show")]


def settings_text(lang: str, sub: SubscriptionView, note: str | None = None) -> str:
    topics = ", ".join(label(lang, "tag", name=t) for t in sub.topics)
    return render(lang, "subscription", sub=sub, topics=topics, note=note)


def settings_markup(lang: str, sub: SubscriptionView) -> InlineKeyboardMarkup:
    if not sub.active:
        return InlineKeyboardMarkup([[_button(label(lang, "sub_btn_resubscribe"), sub, "resub")]])
    rows = [
        [_button(label(lang, "sub_btn_frequency"), sub, "freq"),
         _button(label(lang, "sub_btn_day"), sub, "day")],
        [_button(label(lang, "sub_btn_time"), sub, "time"),
         _button(label(lang, "sub_btn_timezone"), sub, "tz")],
        [_button(label(lang, "sub_btn_topics"), sub, "top"),
         _button(label(lang, "sub_btn_language"), sub, "lang")],
        [_button(label(lang, "sub_btn_empty", on=sub.send_empty), sub, "empty")],
        [_button(label(lang, "sub_btn_unsubscribe"), sub, "unsub")],
    ]
    return InlineKeyboardMarkup(rows)


def _mark(chosen: bool, text: str) -> str:
    return ("✓ " if chosen else "") + text


def frequency_markup(lang: str, sub: SubscriptionView, staff: bool) -> InlineKeyboardMarkup:
    choices = [f for f in FREQUENCIES if staff or f not in STAFF_ONLY_FREQUENCIES]
    buttons = [_button(_mark(f == sub.frequency, label(lang, f"freq_{f}")), sub, "freq", f[0])
               for f in choices]
    return InlineKeyboardMarkup([buttons, _back(lang, sub)])


def day_markup(lang: str, sub: SubscriptionView) -> InlineKeyboardMarkup:
    buttons = [_button(_mark(d == sub.weekday, label(lang, f"day_short_{d}")), sub, "day", str(d))
               for d in range(7)]
    return InlineKeyboardMarkup([*_rows(buttons, 4), _back(lang, sub)])


def time_markup(lang: str, sub: SubscriptionView) -> InlineKeyboardMarkup:
    buttons = [_button(_mark(h == sub.hour and sub.minute == 0, f"{h:02d}:00"), sub, "time",
                       f"{h:02d}00") for h in HOUR_CHOICES]
    return InlineKeyboardMarkup([*_rows(buttons, 4), _back(lang, sub)])


def timezone_markup(lang: str, sub: SubscriptionView) -> InlineKeyboardMarkup:
    buttons = [_button(_mark(tz == sub.timezone, tz), sub, "tz", str(i))
               for i, tz in enumerate(TIMEZONE_CHOICES)]
    return InlineKeyboardMarkup([*_rows(buttons, 2), _back(lang, sub)])


def _tag_hash(tag: str) -> str:
    return hashlib.sha256(tag.encode()).hexdigest()[:16]


def topic_value(sub: SubscriptionView, tag: str) -> str:
    """The tag itself in the callback data when it fits, else a hash of it: tags have no
    length limit, and a hash (unlike a position in the list) still names the same tag after
    the knowledge is reloaded."""
    if len(f"sub:{sub.id}:top:{tag}".encode()) <= CALLBACK_DATA_BYTES:
        return tag
    return _HASHED_TOPIC + _tag_hash(tag)


def topic_from_value(value: str, tags: tuple[str, ...]) -> str | None:
    """The tag a topic button names (see `topic_value`); None if no current tag."""
    if value in tags:
        return value
    if value.startswith(_HASHED_TOPIC):
        found = [t for t in tags if _tag_hash(t) == value[len(_HASHED_TOPIC):]]
        return found[0] if len(found) == 1 else None
    return None


def topics_markup(lang: str, sub: SubscriptionView, tags: tuple[str, ...]) -> InlineKeyboardMarkup:
    buttons = [_button(_mark(t in sub.topics, label(lang, "tag", name=t)), sub, "top",
                       topic_value(sub, t)) for t in tags]
    all_topics = _button(_mark(not sub.topics, label(lang, "sub_btn_all_topics")), sub, "top", "*")
    return InlineKeyboardMarkup([[all_topics], *_rows(buttons, 2), _back(lang, sub)])


def language_markup(lang: str, sub: SubscriptionView) -> InlineKeyboardMarkup:
    buttons = [_button(_mark(code == sub.language, label(code, "language_name")), sub, "lang", code)
               for code in SUPPORTED_LANGUAGES]
    return InlineKeyboardMarkup([*_rows(buttons, 3), _back(lang, sub)])


def is_digest_message(message: MaybeInaccessibleMessage | None) -> bool:
    """Whether a pressed button belongs to a digest (its keyboard has the unsubscribe button)."""
    markup = getattr(message, "reply_markup", None)
    return markup is not None and any(
        isinstance(button.callback_data, str) and button.callback_data.startswith("dgu:")
        for row in markup.inline_keyboard for button in row)
