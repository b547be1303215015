"""Users: created on first contact, language preference, role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
    """Create or update the user seen in an update; returns who they are and how to talk.

    One atomic upsert, so two first updates of a new user arriving at once (webhooks, or
    the bot and a CLI command) cannot both try to insert.
    """
    now = now or utcnow()
    code = (telegram_language or "")[:8] or None
    insert = _insert_for(session)
    stmt = insert(User).values(
        id=user_id, telegram_language=code, role="admin" if is_admin else "user",
        first_seen=now, last_seen=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[User.id],
        set_={
            "last_seen": stmt.excluded.last_seen,
            "role": stmt.excluded.role,
            "telegram_language": func.coalesce(stmt.excluded.telegram_language,
                                               User.telegram_language),
        },
    ).returning(User.language, User.telegram_language, User.role, User.first_seen)
    row = (await session.execute(stmt)).one()
    lang = effective_language(row.language, row.telegram_language, default_language)
    return UserInfo(user_id, lang, row.language, row.role, row.first_seen)


def _insert_for(session: AsyncSession):  # type: ignore[no-untyped-def]
    if session.bind.dialect.name == "postgresql":
        return pg_insert
    return sqlite_insert


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
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)
