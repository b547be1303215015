"""Users: created on first contact, language preference, role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LANGUAGES
from bot.db.models import User, utcnow


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    language: str  # the language to talk in
    chosen_language: str | None
    role: str
    first_seen: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def language_from_code(code: str | None) -> str | None:
    """Telegram's language_code may be a region tag such as 'pt-br' or 'de-AT'."""
    if not code:
        return None
    primary = code.replace("_", "-").split("-")[0].lower()
    return primary if primary in SUPPORTED_LANGUAGES else None


def effective_language(chosen: str | None, telegram_code: str | None, default: str) -> str:
    return chosen or language_from_code(telegram_code) or default


async def touch_user(
    session: AsyncSession,
    user_id: int,
    telegram_language: str | None,
    *,
    is_admin: bool,
    default_language: str,
    now: datetime | None = None,
) -> UserInfo:
    """Create or update the user seen in an update; returns who they are and how to talk."""
    now = now or utcnow()
    role = "admin" if is_admin else "user"
    code = (telegram_language or "")[:8] or None
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, telegram_language=code, role=role, first_seen=now, last_seen=now)
        session.add(user)
    else:
        user.last_seen = now
        user.role = role
        if code:
            user.telegram_language = code
    await session.flush()
    lang = effective_language(user.language, user.telegram_language, default_language)
    return UserInfo(user.id, lang, user.language, user.role, user.first_seen)


async def set_language(session: AsyncSession, user_id: int, language: str) -> bool:
    """Remember a chosen language; False when it is not supported."""
    if language not in SUPPORTED_LANGUAGES:
        return False
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, role="user", first_seen=utcnow(), last_seen=utcnow())
        session.add(user)
    user.language = language
    await session.flush()
    return True


async def count_users(session: AsyncSession) -> int:
    from sqlalchemy import func

    return int(await session.scalar(select(func.count()).select_from(User)) or 0)
