"""Long-lived objects of a running bot, created once at start-up and kept in `bot_data`."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import ConfigError, Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.search import AnswerIndex, SearchIndex
from bot.search.hybrid import HybridIndex
from bot.search.semantic import Encoder, SemanticUnavailable, load_encoder

log = logging.getLogger(__name__)


class KnowledgeError(Exception):
    """The knowledge folder has errors; the message lists them."""


def load_semantic(settings: Settings) -> Encoder | None:
    """The semantic layer's model when SEMANTIC_MODEL asks for one (the callers keep it)."""
    if settings.semantic_model == "off":
        return None
    try:
        return load_encoder(settings.semantic_model, settings.semantic_threads)
    except SemanticUnavailable as exc:
        raise ConfigError(f"SEMANTIC_MODEL: {exc}") from None


def build_index(settings: Settings, encoder: Encoder | None = None) -> AnswerIndex:
    """Load the knowledge folder and index it; refuses a folder with errors."""
    kb: KnowledgeBase = load_knowledge(settings.knowledge_dir)
    if kb.errors:
        listed = "\n".join(p.format(settings.knowledge_dir) for p in kb.errors[:10])
        raise KnowledgeError(f"{len(kb.errors)} error(s) in {settings.knowledge_dir}:\n{listed}")
    for warning in kb.warnings:
        log.warning("knowledge: %s", warning.format(settings.knowledge_dir))
    return make_index(kb, settings, encoder)


def make_index(kb: KnowledgeBase, settings: Settings, encoder: Encoder | None) -> AnswerIndex:
    if encoder is not None:
        return HybridIndex(kb, encoder, settings.semantic_cache_dir)
    return SearchIndex(kb)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    index: AnswerIndex
    encoder: Encoder | None = None
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def create(cls, settings: Settings, index: AnswerIndex | None = None,
               semantic: bool = True) -> Runtime:
        """`semantic=False` for tools that only read the knowledge (the digest commands):
        they have no questions to answer, so no model to load or knowledge to embed."""
        if index is None:
            encoder = load_semantic(settings) if semantic else None
        else:  # a reload keeps the layer the given index was built with
            encoder = index.semantic.encoder if isinstance(index, HybridIndex) else None
        index = index or build_index(settings, encoder)
        engine = create_engine(settings.database_url)
        return cls(settings, engine, create_sessionmaker(engine), index, encoder)

    async def reload(self) -> AnswerIndex:
        """Rebuild the index from disk; the old one keeps serving until the new one is ready."""
        async with self._reload_lock:
            index = await asyncio.to_thread(build_index, self.settings, self.encoder)
            self.index = index
            return index

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
