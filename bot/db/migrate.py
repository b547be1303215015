"""Run Alembic migrations from code (start-up, CLI and tests).

Follows the Alembic cookbook: the async engine opens a connection and Alembic runs on it
through `run_sync`, so migrations work inside an already running event loop.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# Key of the PostgreSQL advisory lock that serialises migrations: the bot and `s3bot digest
# send` both migrate at start, and two runs creating the same types at once collide.
MIGRATION_LOCK_KEY = 0x53_33_42_4F_54  # "S3BOT"


def alembic_config(url: str, script_location: Path = MIGRATIONS_DIR) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _run(engine, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _run(engine, lambda cfg: command.downgrade(cfg, revision))


async def _run(engine: AsyncEngine, action) -> None:  # type: ignore[no-untyped-def]
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def run(sync_connection) -> None:  # type: ignore[no-untyped-def]
        config.attributes["connection"] = sync_connection
        action(config)

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends: a second migrator waits here, then finds the
            # schema up to date. (SQLite serialises writers itself.)
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                     {"key": MIGRATION_LOCK_KEY})
        await connection.run_sync(run)
