"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when configured), settings,
and a harness that drives the real Application through the fake Bot API."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from telegram import Update

from bot.app import build_app
from bot.config import Settings, load_settings
from bot.db.engine import create_engine
from bot.db.migrate import upgrade
from bot.runtime import Runtime
from tests import factories
from tests.fakebot import Call, FakeBotAPI, FakeRequest

FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
TEST_TOKEN = "123456789:" + "A" * 35
# The whole suite runs on this database when set (CI sets it to the local PostgreSQL).
DATABASE_ENV = "S3BOT_TEST_DATABASE_URL"
# PostgreSQL for tests that must always cover it (the migration stairway), when available.
POSTGRES_ENV = "S3BOT_TEST_POSTGRES_URL"


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
async def db_url(tmp_path: Path) -> str:
    url = os.environ.get(DATABASE_ENV)
    if url:
        await reset_postgres(url)
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


def make_settings(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "telegram_bot_token": TEST_TOKEN,
        "database_url": db_url,
        "knowledge_dir": FIXTURE_KNOWLEDGE,
        "admin_ids": frozenset({factories.ADMIN_ID}),
        "default_language": "en",
        "timezone": "Europe/Rome",
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return make_settings(db_url)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = Runtime.create(settings)
    await upgrade(rt.engine)
    yield rt
    await rt.engine.dispose()


@pytest.fixture
async def session(runtime: Runtime):  # type: ignore[no-untyped-def]
    async with runtime.sessionmaker() as s:
        yield s


class Harness:
    """Feeds updates to the real Application and reads what it sent to the fake API."""

    def __init__(self, app, api: FakeBotAPI, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.api = api
        self.runtime = runtime

    async def feed(self, data: dict[str, Any]) -> list[Call]:
        """Process the update, and wait for the handlers it started as tasks (block=False;
        PTB names their tasks "...:process_update_non_blocking:...")."""
        before, running = len(self.api.calls), asyncio.all_tasks()
        await self.app.process_update(Update.de_json(data, self.app.bot))
        started = [task for task in asyncio.all_tasks() - running
                   if ":process_update_non_blocking:" in task.get_name()]
        await asyncio.gather(*started)
        return self.api.calls[before:]

    async def say(self, text: str | None, **kwargs: Any) -> list[Call]:
        return await self.feed(factories.message(text, **kwargs))

    async def press(self, data: str, **kwargs: Any) -> list[Call]:
        return await self.feed(factories.callback(data, **kwargs))

    @staticmethod
    def messages(calls: list[Call]) -> list[Call]:
        return [c for c in calls if c.method in ("sendMessage", "editMessageText")]

    async def ask(self, text: str, **kwargs: Any) -> Call:
        """Send a message and return the single message the bot sent back."""
        sent = self.messages(await self.say(text, **kwargs))
        assert len(sent) == 1, [c.text for c in sent]
        return sent[0]


@pytest.fixture
async def harness(settings: Settings, runtime: Runtime) -> AsyncIterator[Harness]:
    api = FakeBotAPI()
    app = build_app(settings, runtime=runtime, request=FakeRequest(api), migrate_on_start=False)
    async with app:
        yield Harness(app, api, runtime)
