"""Concurrent writers on SQLite never fail with "database is locked"."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Question
from bot.search import SearchResult
from bot.services.questions import record_question
from bot.services.users import touch_user


async def test_many_concurrent_writers_across_engines(runtime):
    # Two engines stand for two processes (the bot and a CLI command) on one file.
    other = create_engine(runtime.settings.database_url)
    makers = [runtime.sessionmaker, create_sessionmaker(other)]

    async def worker(n: int) -> None:
        async with makers[n % 2]() as session:
            await touch_user(session, 100 + n % 7, "en", is_admin=False, default_language="en")
            await session.commit()
            result = SearchResult(f"question {n}", "en", "no_match", ())
            await record_question(session, 100 + n % 7, result)
            await session.commit()

    await asyncio.gather(*(worker(n) for n in range(60)))
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Question)) == 60
    await other.dispose()
