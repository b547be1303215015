"""Digest content: news and fun facts, filtering by topic and language, feedback
highlights, entries added or changed, the skip rule and message splitting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db.digest import DigestOutbox, DigestSubscription
from bot.db.feedback import FeedbackAnswer, FeedbackResponse
from bot.db.migrate import upgrade
from bot.knowledge import load_knowledge
from bot.rendering import MAX_MESSAGE_CHARS
from bot.runtime import Runtime
from bot.services.digest_build import build_digest, pick_funfact, render_digest
from bot.services.digest_content import load_funfacts, load_news, load_sources
from bot.services.digest_feedback import feedback_highlights
from bot.services.digest_runs import create_digest_run
from bot.services.subscriptions import subscribe, update_subscription
from tests.conftest import make_settings
from tests.services.test_digest_support import NOW, make_knowledge


@pytest.fixture
async def rt(db_url, tmp_path):  # type: ignore[no-untyped-def]
    runtime = Runtime.create(make_settings(db_url, knowledge_dir=make_knowledge(tmp_path)))
    await upgrade(runtime.engine)
    yield runtime
    await runtime.engine.dispose()


def test_news_and_funfacts_load_with_translations(tmp_path):
    folder = make_knowledge(tmp_path)
    news = load_news(folder)
    assert [n.slug for n in news] == ["old-conference", "new-call", "edp-workshop"]
    workshop = news[-1]
    assert workshop.title("it") == "Laboratorio EDP a Trento" and workshop.title("de") == (
        "EDP workshop in Trento")
    assert "<b>December</b>" in news[1].body("en") and news[1].url == "https://example.org/call"
    facts = load_funfacts(folder)
    assert [f.id for f in facts] == ["fact-one", "fact-two", "fact-three"]
    assert facts[0].text("it") == "Primo fatto in italiano." and facts[1].text("it") == "Fact two & more."


def test_funfact_not_yet_sent_then_cycle_restarts(tmp_path):
    facts = load_funfacts(make_knowledge(tmp_path))
    day = NOW.date()
    first, reset = pick_funfact(facts, [], day)
    assert not reset
    second, _ = pick_funfact(facts, [first.id], day)
    assert second.id != first.id
    again, reset = pick_funfact(facts, [f.id for f in facts], day)
    assert reset and again == first


async def test_first_digest_filters_by_topic_and_language(rt):
    async with rt.sessionmaker() as s:
        sources = await load_sources(s, rt.index.kb, NOW)
    since = NOW - timedelta(days=30)
    everything = build_digest(sources, lang="it", topics=(), sent_funfacts=[], since=since, until=NOW)
    assert [e.id for e in everything.entries] == ["edp"]  # updated 2026-11-20; others are baseline
    assert [n.slug for n in everything.news] == ["edp-workshop", "new-call"]  # newest first, not 2019
    text = "\n".join(render_digest(everything))
    assert "Laboratorio EDP a Trento" in text and "Primo fatto in italiano." in text
    funding = build_digest(sources, lang="en", topics=("funding",), sent_funfacts=[], since=since,
                           until=NOW)
    assert funding.entries == () and [n.slug for n in funding.news] == ["new-call"]
    nothing = build_digest(sources, lang="en", topics=("monitoring",), sent_funfacts=[],
                           since=since, until=NOW)
    assert not nothing.has_news and nothing.funfact is not None


async def test_entries_added_or_changed_after_the_baseline_are_new(rt, tmp_path):
    async with rt.sessionmaker() as s:
        await load_sources(s, rt.index.kb, NOW - timedelta(days=7))  # baseline
        await s.commit()
    folder = rt.settings.knowledge_dir
    (folder / "entries" / "interreg.md").write_text(
        "---\ntitle: Interreg\nquestions:\n  - What is Interreg?\ntags: [funding]\n---\nCooperation.\n",
        encoding="utf-8")
    erdf = folder / "entries" / "erdf.md"
    erdf.write_text(erdf.read_text(encoding="utf-8") + "\nNow with a new sentence.\n", encoding="utf-8")
    kb = load_knowledge(folder)
    async with rt.sessionmaker() as s:
        sources = await load_sources(s, kb, NOW)
    digest = build_digest(sources, lang="en", topics=("funding",), sent_funfacts=[],
                          since=NOW - timedelta(days=1), until=NOW)
    assert [e.id for e in digest.entries] == ["interreg", "erdf"]  # by title


async def test_feedback_highlights_count_responses_and_average_ratings(rt):
    async with rt.sessionmaker() as s:
        for i, (service, rating, hours) in enumerate(
                [("coaching", 4, 1), ("coaching", 5, 2), ("matching", 2, 3), ("coaching", 1, 24 * 40)]):
            response = FeedbackResponse(survey_id="pilot", service_id=service, round=1, anonymous=True,
                                        language="en", submitted_at=NOW - timedelta(hours=hours))
            s.add(response)
            await s.flush()
            s.add_all([FeedbackAnswer(response_id=response.id, question_id="overall", number=rating),
                       FeedbackAnswer(response_id=response.id, question_id="staff", number=10 + i),
                       FeedbackAnswer(response_id=response.id, question_id="comment", text="ok")])
        await s.commit()
        highlights = await feedback_highlights(s, NOW - timedelta(days=7), NOW)
    assert [(h.service_id, h.responses, h.average_rating) for h in highlights] == [
        ("coaching", 2, 4.5), ("matching", 1, 2.0)]
    async with rt.sessionmaker() as s:
        sources = await load_sources(s, rt.index.kb, NOW)
    digest = build_digest(sources, lang="it", topics=("monitoring",), sent_funfacts=[],
                          since=NOW - timedelta(days=7), until=NOW, feedback=highlights)
    assert digest.has_news
    assert "Coaching per l&#39;internazionalizzazione: 2" in "\n".join(render_digest(digest))


async def test_run_skips_empty_digests_unless_asked_and_records_what_was_sent(rt):
    async with rt.sessionmaker() as s:
        keen, _ = await subscribe(s, 11, language="en", timezone="Europe/Rome", user_id=None,
                                  now=NOW - timedelta(days=3))
        quiet, _ = await subscribe(s, 12, language="en", timezone="Europe/Rome", user_id=None,
                                   now=NOW - timedelta(days=3))
        empty_ok, _ = await subscribe(s, 13, language="en", timezone="Europe/Rome", user_id=None,
                                      now=NOW - timedelta(days=3))
        await update_subscription(s, quiet.id, topics=["monitoring"], now=NOW - timedelta(days=3))
        await update_subscription(s, empty_ok.id, topics=["monitoring"], send_empty=True,
                                  now=NOW - timedelta(days=3))
        await s.commit()
        summary = await create_digest_run(s, rt.index.kb, NOW)
        assert (summary.queued, summary.skipped) == (2, 1)
        rows = {r.chat_id: r for r in (await s.scalars(
            __import__("sqlalchemy").select(DigestOutbox))).all()}
        assert set(rows) == {11, 13} and rows[11].buttons[1] == ["🔕 Unsubscribe", f"dgu:{keen.id}"]
        sub = await s.get(DigestSubscription, keen.id)
        assert sub.sent_funfacts and sub.last_digest_at is not None
        assert sub.next_due_at.replace(tzinfo=UTC) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        again = await create_digest_run(s, rt.index.kb, NOW + timedelta(minutes=1))
    assert again.run_id is None  # nobody is due twice


async def test_long_digest_splits_below_the_limit(rt):
    async with rt.sessionmaker() as s:
        sources = await load_sources(s, rt.index.kb, NOW)
    from dataclasses import replace

    many = tuple(replace(sources.news[1], slug=f"n{i}", bodies={"en": "Long sentence here. " * 40})
                 for i in range(40))
    digest = build_digest(replace(sources, news=many), lang="en", topics=(), sent_funfacts=[],
                          since=NOW - timedelta(days=30), until=NOW)
    parts = render_digest(digest)
    assert len(parts) > 1 and all(len(p) <= MAX_MESSAGE_CHARS for p in parts)
    assert all(p.count("<b>") == p.count("</b>") for p in parts)
    assert "/unsubscribe" in parts[-1]


async def test_two_scheduled_runs_at_once_queue_each_subscriber_once(rt):
    import asyncio

    from sqlalchemy import func, select

    async with rt.sessionmaker() as s:
        for chat in range(100, 160):
            await subscribe(s, chat, language="en", timezone="Europe/Rome", user_id=None,
                            now=NOW - timedelta(days=3))
        await s.commit()

    async def run():  # type: ignore[no-untyped-def]
        async with rt.sessionmaker() as s:
            return await create_digest_run(s, rt.index.kb, NOW)

    first, second = await asyncio.gather(run(), run())
    async with rt.sessionmaker() as s:
        rows = await s.scalar(select(func.count()).select_from(DigestOutbox))
        chats = await s.scalar(select(func.count(func.distinct(DigestOutbox.chat_id))))
    assert rows == chats == 60
    assert first.queued + second.queued == 60
