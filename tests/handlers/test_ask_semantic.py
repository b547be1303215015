"""End-to-end with the optional semantic layer (a stand-in model): answers, reload, the database."""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import _post_init, build_app
from bot.db.migrate import upgrade
from bot.db.models import Question
from bot.knowledge import load_knowledge
from bot.runtime import Runtime
from bot.search import HybridIndex, SearchIndex
from tests import factories
from tests.conftest import FIXTURE_KNOWLEDGE, Harness
from tests.fakebot import FakeBotAPI, FakeRequest
from tests.search.fake_encoder import ConceptEncoder

ADMIN = {"user_id": factories.ADMIN_ID}


@pytest.fixture
async def semantic_harness(settings, tmp_path) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    settings.semantic_cache_dir = tmp_path / "cache"
    index = HybridIndex(load_knowledge(FIXTURE_KNOWLEDGE), ConceptEncoder(), settings.semantic_cache_dir)
    runtime = Runtime.create(settings, index=index)
    await upgrade(runtime.engine)
    api = FakeBotAPI()
    app = build_app(settings, runtime=runtime, request=FakeRequest(api), migrate_on_start=False)
    async with app:
        yield Harness(app, api, runtime)
    await runtime.engine.dispose()


async def test_paraphrase_is_answered_and_logged_with_its_entry(semantic_harness):
    reply = await semantic_harness.ask("we need cash, who pays?")
    assert reply.text.startswith("<b>The European Regional Development Fund (ERDF)</b>")
    async with semantic_harness.runtime.sessionmaker() as s:
        (question,) = (await s.scalars(select(Question))).all()
    assert (question.status, question.entry_id) == ("answered", "erdf")


async def test_unknown_topic_still_gets_an_honest_no_answer(semantic_harness):
    reply = await semantic_harness.ask("recipe for apple strudel")
    assert reply.text.startswith("I don't have an answer to “recipe for apple strudel” yet.")


async def test_reload_keeps_the_semantic_layer(semantic_harness, tmp_path):
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KNOWLEDGE, folder)
    semantic_harness.runtime.settings.knowledge_dir = folder
    reply = await semantic_harness.ask("/reload", **ADMIN)
    assert "7 entries" in reply.text
    assert isinstance(semantic_harness.runtime.index, HybridIndex)
    reply = await semantic_harness.ask("we need cash, who pays?")
    assert reply.text.startswith("<b>The European Regional Development Fund (ERDF)</b>")


class GatedEncoder(ConceptEncoder):
    """The stand-in model, whose first call (embedding the knowledge) waits for the test."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.waiting = threading.Event()  # the first call is in, waiting for the gate
        self._first = True
        self.seen: list[str] = []  # every text embedded, in order

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.seen.extend(texts)
        if self._first:
            self._first = False
            self.waiting.set()
            assert self.gate.wait(10), "the test never opened the gate"
        return super().encode(texts)


@pytest.fixture
async def deferred_harness(settings, tmp_path) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    """The bot as `s3bot run` starts it with a model configured: lexical index first."""
    settings.semantic_cache_dir = tmp_path / "cache"
    runtime = Runtime.create(settings, index=SearchIndex(load_knowledge(FIXTURE_KNOWLEDGE)))
    runtime.encoder = GatedEncoder()
    await upgrade(runtime.engine)
    api = FakeBotAPI()
    app = build_app(settings, runtime=runtime, request=FakeRequest(api), migrate_on_start=False)
    async with app:
        yield Harness(app, api, runtime)
    runtime.encoder.gate.set()
    await runtime.engine.dispose()


async def _until(predicate) -> None:  # type: ignore[no-untyped-def]
    for _ in range(500):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_the_bot_answers_at_once_and_gains_the_semantic_layer_when_ready(deferred_harness):
    runtime = deferred_harness.runtime
    assert runtime.semantic_pending
    await _post_init(False)(deferred_harness.app)  # what `s3bot run` does after connecting
    reply = await deferred_harness.ask("what is the entrepreneurial discovery process")
    assert reply.text.startswith("<b>The Entrepreneurial Discovery Process (EDP)</b>")
    assert isinstance(runtime.index, SearchIndex)  # still embedding: lexical answers meanwhile
    assert "I don't have an answer" in (await deferred_harness.ask("we need cash, who pays?")).text
    runtime.encoder.gate.set()
    await _until(lambda: isinstance(runtime.index, HybridIndex))
    assert not runtime.semantic_pending
    reply = await deferred_harness.ask("we need cash, who pays?")
    assert reply.text.startswith("<b>The European Regional Development Fund (ERDF)</b>")


async def test_a_reload_waits_for_the_background_build_and_embeds_nothing_twice(deferred_harness):
    runtime, encoder = deferred_harness.runtime, deferred_harness.runtime.encoder
    runtime.start_semantic(asyncio.get_running_loop())
    assert await asyncio.to_thread(encoder.waiting.wait, 10)
    reload = asyncio.create_task(runtime.reload())
    await asyncio.sleep(0.1)
    assert not reload.done()  # waiting for the first embedding, not embedding it again
    encoder.gate.set()
    reloaded = await asyncio.wait_for(reload, 10)
    assert isinstance(reloaded, HybridIndex) and runtime.index is reloaded
    assert len(encoder.seen) == len(set(encoder.seen)) > 0  # no phrasing embedded twice


def test_a_build_that_ends_after_the_bot_stopped_is_dropped_quietly(settings, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot.runtime")
    settings.semantic_cache_dir = tmp_path / "cache"
    runtime = Runtime.create(settings, index=SearchIndex(load_knowledge(FIXTURE_KNOWLEDGE)))
    runtime.encoder = GatedEncoder()
    loop = asyncio.new_event_loop()
    thread = runtime.start_semantic(loop)
    loop.close()
    runtime.encoder.gate.set()
    thread.join(10)
    assert isinstance(runtime.index, SearchIndex)
    assert "after the bot stopped" in caplog.text


async def test_an_admin_reloading_during_the_first_embedding_is_told_why_it_waits(deferred_harness):
    runtime = deferred_harness.runtime
    runtime.start_semantic(asyncio.get_running_loop())
    assert await asyncio.to_thread(runtime.encoder.waiting.wait, 10)
    sent = asyncio.create_task(deferred_harness.say("/reload", **ADMIN))
    await _until(lambda: any("still being built" in (c.text or "")
                             for c in deferred_harness.api.sent("sendMessage")))
    runtime.encoder.gate.set()
    replies = [c.text for c in deferred_harness.messages(await asyncio.wait_for(sent, 10))]
    assert "still being built" in replies[0] and "Knowledge reloaded" in replies[-1]
