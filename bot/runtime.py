"""Long-lived objects of a running bot, created once at start-up and kept in `bot_data`."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.search import SearchIndex

log = logging.getLogger(__name__)


class KnowledgeError(Exception):
    """The knowledge folder has errors; the message lists them."""


def build_index(settings: Settings) -> SearchIndex:
    """Load the knowledge folder and index it; refuses a folder with errors."""
    kb: KnowledgeBase = load_knowledge(settings.knowledge_dir)
    if kb.errors:
        listed = "\n".join(p.format(settings.knowledge_dir) for p in kb.errors[:10])
        raise KnowledgeError(f"{len(kb.errors)} error(s) in {settings.knowledge_dir}:\n{listed}")
    for warning in kb.warnings:
        log.warning("knowledge: %s", warning.format(settings.knowledge_dir))
    return SearchIndex(kb)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    index: SearchIndex
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def create(cls, settings: Settings, index: SearchIndex | None = None) -> Runtime:
        engine = create_engine(settings.database_url)
        return cls(settings, engine, create_sessionmaker(engine), index or build_index(settings))

    async def reload(self) -> SearchIndex:
        """Rebuild the index from disk; the old one keeps serving until the new one is ready."""
        async with self._reload_lock:
            index = await asyncio.to_thread(build_index, self.settings)
            self.index = index
            return index

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
