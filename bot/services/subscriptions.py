"""Digest subscriptions: subscribe, change settings, unsubscribe.

One subscription per chat (a private chat, a group or a channel). Settings are validated here
so that the handlers and the CLI share the rules; every change recomputes `next_due_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LANGUAGES
from bot.db.digest import DigestSubscription
from bot.db.models import utcnow
from bot.services.digest_schedule import FREQUENCIES, next_due, valid_timezone

GROUP_TYPES = ("group", "supergroup", "channel")


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything is stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    id: int
    chat_id: int
    chat_type: str
    chat_title: str | None
    user_id: int | None
    frequency: str
    topics: tuple[str, ...]
    language: str
    timezone: str
    weekday: int
    hour: int
    minute: int
    send_empty: bool
    active: bool
    next_due_at: datetime | None

    @property
    def is_group(self) -> bool:
        return self.chat_type in GROUP_TYPES

    @property
    def next_due_local(self) -> datetime | None:
        due = self.next_due_at
        return due.astimezone(ZoneInfo(self.timezone)) if due else None

    @property
    def time_text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def view(sub: DigestSubscription) -> SubscriptionView:
    return SubscriptionView(
        sub.id, sub.chat_id, sub.chat_type, sub.chat_title, sub.user_id, sub.frequency,
        tuple(sub.topics or ()), sub.language, sub.timezone, sub.weekday, sub.hour, sub.minute,
        sub.send_empty, sub.active, as_utc(sub.next_due_at),
    )


def reschedule(sub: DigestSubscription, now: datetime) -> None:
    sub.next_due_at = next_due(sub.frequency, sub.weekday, sub.hour, sub.minute,
                               sub.timezone, now)


async def subscription_for_chat(session: AsyncSession, chat_id: int) -> DigestSubscription | None:
    return await session.scalar(
        select(DigestSubscription).where(DigestSubscription.chat_id == chat_id))


async def get_subscription(session: AsyncSession, chat_id: int) -> SubscriptionView | None:
    sub = await subscription_for_chat(session, chat_id)
    return view(sub) if sub else None


async def get_subscription_by_id(session: AsyncSession, sub_id: int) -> SubscriptionView | None:
    sub = await session.get(DigestSubscription, sub_id)
    return view(sub) if sub else None


async def subscribe(
    session: AsyncSession,
    chat_id: int,
    *,
    language: str,
    timezone: str,
    user_id: int | None,
    chat_type: str = "private",
    chat_title: str | None = None,
    now: datetime | None = None,
) -> tuple[SubscriptionView, bool]:
    """Subscribe a chat with the default settings (weekly, Monday 09:00, all topics), or
    reactivate an earlier subscription with its settings. Returns (subscription, is_new)."""
    now = now or utcnow()
    sub = await subscription_for_chat(session, chat_id)
    created = sub is None
    if sub is None:
        sub = DigestSubscription(
            chat_id=chat_id, chat_type=chat_type, user_id=user_id, frequency="weekly",
            topics=[], language=language if language in SUPPORTED_LANGUAGES else "en",
            timezone=valid_timezone(timezone) or "UTC", weekday=0, hour=9, minute=0,
            send_empty=False, sent_funfacts=[], created_at=now,
        )
        session.add(sub)
    elif sub.active:
        return view(sub), False
    sub.active, sub.inactive_reason = True, None
    sub.chat_title = chat_title or sub.chat_title
    sub.updated_at = now
    reschedule(sub, now)
    await session.flush()
    return view(sub), created


async def unsubscribe(session: AsyncSession, chat_id: int, reason: str = "unsubscribed") -> bool:
    """Stop digests for a chat; False when it was not subscribed."""
    sub = await subscription_for_chat(session, chat_id)
    if sub is None or not sub.active:
        return False
    sub.active, sub.inactive_reason, sub.updated_at = False, reason, utcnow()
    await session.flush()
    return True


async def deactivate(session: AsyncSession, sub_id: int, reason: str) -> None:
    """The chat is gone (blocked the bot, kicked it, deleted): stop without retrying."""
    sub = await session.get(DigestSubscription, sub_id)
    if sub is not None and sub.active:
        sub.active, sub.inactive_reason, sub.updated_at = False, reason[:100], utcnow()
        await session.flush()


class InvalidSetting(ValueError):
    """A setting value the subscription does not accept."""


async def update_subscription(
    session: AsyncSession, sub_id: int, *, now: datetime | None = None, **changes: object
) -> SubscriptionView | None:
    """Change settings (frequency, topics, language, timezone, weekday, hour, minute,
    send_empty); raises InvalidSetting for a bad value, returns None for no subscription."""
    sub = await session.get(DigestSubscription, sub_id)
    if sub is None:
        return None
    for key, value in changes.items():
        setattr(sub, key, _checked(key, value))
    sub.updated_at = now or utcnow()
    reschedule(sub, now or utcnow())
    await session.flush()
    return view(sub)


def _checked(key: str, value: object) -> object:
    ok = {
        "frequency": lambda v: v in FREQUENCIES,
        "language": lambda v: v in SUPPORTED_LANGUAGES,
        "timezone": lambda v: isinstance(v, str) and valid_timezone(v) == v,
        "weekday": lambda v: isinstance(v, int) and 0 <= v <= 6,
        "hour": lambda v: isinstance(v, int) and 0 <= v <= 23,
        "minute": lambda v: isinstance(v, int) and 0 <= v <= 59,
        "send_empty": lambda v: isinstance(v, bool),
        "topics": lambda v: isinstance(v, list | tuple) and all(isinstance(t, str) for t in v),
    }.get(key)
    if ok is None or not ok(value):
        raise InvalidSetting(f"{key}={value!r}")
    return sorted(set(value)) if key == "topics" else value  # type: ignore[arg-type]


async def toggle_topic(session: AsyncSession, sub_id: int, tag: str | None) -> SubscriptionView | None:
    """Add or remove one topic; `None` means every topic (an empty list)."""
    sub = await session.get(DigestSubscription, sub_id)
    if sub is None:
        return None
    topics = set(sub.topics or ())
    if tag is None:
        topics = set()
    else:
        topics ^= {tag}
    return await update_subscription(session, sub_id, topics=sorted(topics))
