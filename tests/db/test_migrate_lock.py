"""Concurrent migrations on PostgreSQL: the bot and `s3bot digest send` both migrate at start,
so several may run at once on a fresh database; they must wait for each other, not collide."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from sqlalchemy import inspect, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.engine import create_engine
from bot.db.migrate import upgrade
from tests.conftest import POSTGRES_ENV

pytestmark = pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV),
    reason=f"{POSTGRES_ENV} is not set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)",
)


@pytest.fixture
async def scratch_url():  # type: ignore[no-untyped-def]
    """A database of this test's own, so other tests using the same server are not disturbed."""
    base = make_url(os.environ[POSTGRES_ENV])
    name = f"s3bot_migrate_lock_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def test_three_simultaneous_upgrades_of_a_fresh_database_all_succeed(scratch_url):
    engines = [create_engine(scratch_url) for _ in range(3)]
    try:
        results = await asyncio.wait_for(  # without the lock they may also deadlock
            asyncio.gather(*(upgrade(e) for e in engines), return_exceptions=True), 30)
        assert [r for r in results if r is not None] == []
        async with engines[0].connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert "feedback_responses" in tables
        assert len(version) == 1
    finally:
        for engine in engines:
            await engine.dispose()
