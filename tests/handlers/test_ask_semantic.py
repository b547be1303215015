"""End-to-end with the optional semantic layer (a stand-in model): answers, reload, the database."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.db.migrate import upgrade
from bot.db.models import Question
from bot.knowledge import load_knowledge
from bot.runtime import Runtime
from bot.search import HybridIndex
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
