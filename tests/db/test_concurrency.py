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


async def test_no_write_lock_is_held_while_telegram_answers(harness):
    """SQLite: while a handler waits for Telegram, another process can take the write lock."""
    import sqlite3

    import pytest

    url = harness.runtime.settings.database_url
    if not url.startswith("sqlite"):
        pytest.skip("the write lock of a whole database file is SQLite's")
    path = url.split("///", 1)[1]
    outcomes: list[str] = []
    original = harness.api.handle

    def handle(method, params, poll_timeout=0):  # type: ignore[no-untyped-def]
        if method == "sendMessage":
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                outcomes.append("free")
            except sqlite3.OperationalError as exc:
                outcomes.append(str(exc))
            finally:
                other.close()
        return original(method, params, poll_timeout)

    harness.api.handle = handle
    await harness.ask("/stats", user_id=1001)  # reads, then replies
    await harness.ask("what is the ERDF")  # writes a question, then replies
    await harness.ask("/mydata")
    assert outcomes == ["free", "free", "free"]
