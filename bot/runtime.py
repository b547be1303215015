"""Long-lived objects of a running bot, created once at start-up and kept in `bot_data`."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
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
    if not kb.entries:  # e.g. an emptied entries/ folder: every question would go unanswered
        raise KnowledgeError(f"no entries in {settings.knowledge_dir / 'entries'}: "
                             "a knowledge folder needs at least one <id>.md")
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
    _semantic_build: threading.Thread | None = None

    @classmethod
    def create(cls, settings: Settings, index: AnswerIndex | None = None,
               semantic: bool = True, defer_semantic: bool = False) -> Runtime:
        """`semantic=False` for tools that only read the knowledge (the digest commands):
        they have no questions to answer, so no model to load or knowledge to embed.
        `defer_semantic` (the bot) indexes lexically only; `start_semantic` adds the layer."""
        if index is None:
            encoder = load_semantic(settings) if semantic else None
        else:  # a reload keeps the layer the given index was built with
            encoder = index.semantic.encoder if isinstance(index, HybridIndex) else None
        index = index or build_index(settings, None if defer_semantic else encoder)
        engine = create_engine(settings.database_url)
        return cls(settings, engine, create_sessionmaker(engine), index, encoder)

    @property
    def semantic_pending(self) -> bool:
        """A model is configured but the index in service does not use it (not yet, or its
        build failed: see the log)."""
        return self.encoder is not None and not isinstance(self.index, HybridIndex)

    @property
    def semantic_building(self) -> bool:
        """The semantic layer is being built in the background (see `start_semantic`)."""
        return self._semantic_build is not None and self._semantic_build.is_alive()

    def start_semantic(self, loop: asyncio.AbstractEventLoop) -> threading.Thread | None:
        """Add the semantic layer to the index in service, in a background thread.

        Embedding a whole knowledge base with an empty cache takes minutes on one core, so the
        bot answers with the lexical engine meanwhile and switches when the layer is ready. A
        daemon thread, so that stopping the bot does not wait for it. A /reload waits for it
        (see `reload`), so the knowledge is never embedded twice at once.
        """
        base, encoder = self.index, self.encoder
        if encoder is None or not isinstance(base, SearchIndex):
            return None

        def build() -> None:
            started = time.perf_counter()
            try:
                hybrid = HybridIndex(base.kb, encoder, self.settings.semantic_cache_dir, lexical=base)
            except Exception:  # e.g. the model failed: keep answering lexically
                log.exception("semantic layer could not be built; answering without it")
                return
            try:
                loop.call_soon_threadsafe(self._attach, base, hybrid, time.perf_counter() - started)
            except RuntimeError:  # the bot stopped meanwhile: nothing to attach to
                log.info("semantic layer built after the bot stopped; not used")

        self._semantic_build = threading.Thread(target=build, name="semantic-index", daemon=True)
        self._semantic_build.start()
        return self._semantic_build

    def _attach(self, base: AnswerIndex, hybrid: HybridIndex, seconds: float) -> None:
        if self.index is base:
            self.index = hybrid
            log.info("semantic layer ready after %.1f s; answering with it", seconds)
        else:
            log.info("semantic layer built for knowledge that was reloaded meanwhile; not used")

    async def reload(self) -> AnswerIndex:
        """Rebuild the index from disk; the old one keeps serving until the new one is ready.
        A semantic layer still being built at start-up is waited for first: its embeddings
        are then in the cache, and only what changed is embedded again."""
        async with self._reload_lock:
            if (building := self._semantic_build) is not None and building.is_alive():
                await asyncio.to_thread(building.join)
            index = await asyncio.to_thread(build_index, self.settings, self.encoder)
            self.index = index
            return index

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
