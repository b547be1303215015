"""News reach a digest by when the bot first saw them, not by the date in the file name: a
news file added after that day's digest, or dated back, is in the next digest (once); and an
installation upgraded to this does not announce its old news again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.digest import DigestNewsSeen, DigestOutbox, DigestSubscription
from bot.db.migrate import upgrade
from bot.runtime import Runtime
from bot.services.digest_runs import create_digest_run
from bot.services.subscriptions import subscribe
from tests.conftest import make_settings
from tests.services.test_digest_support import NOW, make_knowledge

OLD_TITLES = ("A new call for clusters", "EDP workshop in Trento", "An old conference")


@pytest.fixture
def knowledge(tmp_path):  # type: ignore[no-untyped-def]
    return make_knowledge(tmp_path)


@pytest.fixture
async def rt(db_url, knowledge):  # type: ignore[no-untyped-def]
    runtime = Runtime.create(make_settings(db_url, knowledge_dir=knowledge))
    yield runtime
    await runtime.engine.dispose()


def _add_news(folder, name: str, title: str) -> None:  # type: ignore[no-untyped-def]
    (folder / "news" / name).write_text(f"---\ntitle: {title}\n---\nBody.\n", encoding="utf-8")


async def _run(rt, now: datetime) -> str:  # type: ignore[no-untyped-def]
    """A scheduled run at `now`; the text queued for chat 11 in it ("" if none)."""
    async with rt.sessionmaker() as s:
        summary = await create_digest_run(s, rt.index.kb, now)
        await s.commit()
        rows = (await s.scalars(select(DigestOutbox).where(
            DigestOutbox.run_id == summary.run_id, DigestOutbox.chat_id == 11))).all()
    return "\n".join(part for row in rows for part in row.parts)


async def test_news_added_after_the_day_s_digest_or_dated_back_come_next_time(rt, knowledge):
    await upgrade(rt.engine)
    async with rt.sessionmaker() as s:
        await subscribe(s, 11, language="en", timezone="Europe/Rome", user_id=None,
                        now=NOW - timedelta(days=3))
        await s.commit()
    first = await _run(rt, NOW)  # Monday 09:00 in Rome
    assert "A new call for clusters" in first
    # That afternoon a news file dated today is added (a tick of the bot sees it), and the
    # next day one dated last Wednesday (nothing runs before the next digest).
    _add_news(knowledge, "2026-11-30-afternoon-call.md", "A call published this afternoon")
    assert await _run(rt, NOW + timedelta(hours=5)) == ""  # nobody due
    _add_news(knowledge, "2026-11-25-late-report.md", "A report filed late")
    second = await _run(rt, NOW + timedelta(weeks=1))
    assert "A call published this afternoon" in second and "A report filed late" in second
    assert "30 November 2026" in second and "25 November 2026" in second  # their own dates
    assert not any(title in second for title in OLD_TITLES)
    assert await _run(rt, NOW + timedelta(weeks=2)) == ""  # nothing new: skipped, not resent


async def test_an_upgraded_installation_does_not_announce_its_old_news_again(rt, knowledge):
    """A subscriber last served a week ago by the date-based version; the bot is upgraded and
    the next digest has exactly what that version would have sent."""
    await upgrade(rt.engine, "0003")
    async with rt.sessionmaker() as s:
        s.add(DigestSubscription(
            chat_id=11, chat_type="private", user_id=None, frequency="weekly", topics=[],
            language="en", timezone="Europe/Rome", weekday=0, hour=9, minute=0,
            send_empty=False, active=True, next_due_at=NOW, last_digest_at=NOW - timedelta(weeks=1),
            sent_funfacts=[], created_at=NOW - timedelta(weeks=5), updated_at=NOW - timedelta(weeks=5)))
        await s.commit()
    _add_news(knowledge, "2026-11-26-since-then.md", "News since the last digest")
    _add_news(knowledge, "2026-12-03-upcoming.md", "News dated ahead")
    await upgrade(rt.engine)

    digest = await _run(rt, NOW)
    assert "News since the last digest" in digest
    assert not any(title in digest for title in (*OLD_TITLES, "News dated ahead"))
    later = await _run(rt, NOW + timedelta(weeks=1))
    assert "News dated ahead" in later and "News since the last digest" not in later
    async with rt.sessionmaker() as s:
        seen = {row.news_id: row.first_seen_at for row in await s.scalars(select(DigestNewsSeen))}
    assert seen["2019-03-14-old-conference"].replace(tzinfo=UTC) == datetime(2019, 3, 14, tzinfo=UTC)
