"""Migration stairway: every revision upgrades and downgrades cleanly, on SQLite and PostgreSQL;
and the models match the migrated schema."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, downgrade, upgrade
from bot.db.schema import Base
from tests.conftest import POSTGRES_ENV, reset_postgres


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def _stairway(url: str) -> None:
    engine = create_engine(url)
    try:
        revisions = _revisions()
        assert revisions, "no migrations found"
        for i, revision in enumerate(revisions):
            await upgrade(engine, revision)
            await downgrade(engine, revisions[i - 1] if i else "base")
            await upgrade(engine, revision)
        assert {"users", "questions", "answer_feedback"} <= await _tables(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
        assert diff == [], f"models and migrations differ: {diff}"
        await downgrade(engine, "base")
        assert await _tables(engine) <= {"alembic_version"}
    finally:
        await engine.dispose()


async def test_stairway_sqlite(tmp_path):
    await _stairway(f"sqlite+aiosqlite:///{tmp_path / 'stairs.sqlite3'}")


async def test_stairway_postgresql():
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"set {POSTGRES_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)")
    await reset_postgres(url)
    await _stairway(url)
    await reset_postgres(url)


async def test_sqlite_uses_wal_and_busy_timeout(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.sqlite3'}")
    async with engine.connect() as conn:
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
        fks = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    await engine.dispose()
    assert (mode, timeout, fks) == ("wal", 30000, 1)
