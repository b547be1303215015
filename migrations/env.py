"""Alembic environment (async-aware).

Two ways in: `bot.db.migrate` passes an open connection in `config.attributes["connection"]`
(start-up, `s3bot db upgrade`, tests); the `alembic` command line gets none, so we build an
async engine from the configured URL (or DATABASE_URL) and run through it.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.schema import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    dialect = connection.dialect.name if connection is not None else (url or "")
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch="sqlite" in dialect,
        compare_type=True,
    )


def _run_with(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.config import load_settings

    return load_settings().database_url


async def _run_online() -> None:
    engine = create_engine(_url())
    async with engine.begin() as connection:
        await connection.run_sync(_run_with)
    await engine.dispose()


if context.is_offline_mode():
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()
elif (existing := config.attributes.get("connection")) is not None:
    _run_with(existing)
else:
    asyncio.run(_run_online())
