"""End-to-end: scheduled digests through the fake Bot API (the scheduler clock is moved, not
waited for), 403 and 429 answers, restarts, and the staff commands."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.digest import DigestOutbox, DigestSubscription
from bot.handlers import digest
from bot.services import subscriptions
from tests import factories
from tests.conftest import make_settings
from tests.services.test_digest_support import FakeClock, fake_limiter, make_knowledge

ADMIN = {"user_id": factories.ADMIN_ID}
MONDAY_9_ROME = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SUBSCRIBED_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the Wednesday before


@pytest.fixture(autouse=True)
def fixed_days(monkeypatch):  # type: ignore[no-untyped-def]
    """Subscriptions are made on a fixed day, so the first digest is due on MONDAY_9_ROME, and
    the staff commands run on that Monday, so the test news are new, whatever today's date is
    (the due checks are given their time)."""
    monkeypatch.setattr(subscriptions, "utcnow", lambda: SUBSCRIBED_AT)
    monkeypatch.setattr(digest, "utcnow", lambda: MONDAY_9_ROME)


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    return make_settings(db_url, knowledge_dir=make_knowledge(tmp_path))


@pytest.fixture
def clock(harness) -> FakeClock:  # type: ignore[no-untyped-def]
    """Pacing and 429 pauses run on a fake clock: no test waits in real time."""
    fake = FakeClock()
    digest._state(harness.app).limiter = fake_limiter(fake)
    return fake


async def _subscribe(harness, **kw) -> DigestSubscription:  # type: ignore[no-untyped-def]
    await harness.ask("/subscribe", **kw)
    async with harness.runtime.sessionmaker() as s:
        return await s.scalar(select(DigestSubscription).where(
            DigestSubscription.chat_id == kw.get("user_id", factories.USER_ID)))


def _digests(harness, chat_id=factories.USER_ID):  # type: ignore[no-untyped-def]
    return [c for c in harness.api.sent("sendMessage")
            if int(c.params["chat_id"]) == chat_id and "what is new" in c.text]


async def test_digest_arrives_at_the_local_time_and_only_once(harness, clock):
    sub = await _subscribe(harness)
    assert sub.next_due_at.replace(tzinfo=UTC) == MONDAY_9_ROME
    await digest.check_due(harness.app, now=MONDAY_9_ROME - timedelta(minutes=1))
    assert _digests(harness) == []
    await digest.check_due(harness.app, now=MONDAY_9_ROME)
    [message] = _digests(harness)
    assert "A new call for clusters" in message.text and "The Entrepreneurial Discovery" in message.text
    assert message.buttons[-1] == ("🔕 Unsubscribe", f"dgu:{sub.id}")
    await digest.check_due(harness.app, now=MONDAY_9_ROME + timedelta(minutes=1))
    assert len(_digests(harness)) == 1


async def test_digest_due_while_the_bot_was_down_is_sent_once_after_restart(harness, clock):
    sub = await _subscribe(harness)
    await harness.press(f"sub:{sub.id}:empty")  # nothing new by then: ask for it anyway
    three_weeks_later = MONDAY_9_ROME + timedelta(weeks=3, hours=2)
    await digest.on_startup(harness.app, harness.runtime)
    assert {j.name for j in harness.app.job_queue.jobs()} >= {digest.DUE_JOB, digest.HEARTBEAT_JOB}
    await digest.on_startup(harness.app, harness.runtime)  # stable names: no duplicate jobs
    await asyncio.sleep(0)
    assert len(harness.app.job_queue.get_jobs_by_name(digest.DUE_JOB)) == 1
    await digest.check_due(harness.app, now=three_weeks_later)
    await digest.check_due(harness.app, now=three_weeks_later + timedelta(minutes=1))
    assert len(_digests(harness)) == 1
    async with harness.runtime.sessionmaker() as s:
        sub = await s.scalar(select(DigestSubscription))
    assert sub.next_due_at.replace(tzinfo=UTC) == datetime(2026, 12, 28, 8, 0, tzinfo=UTC)


async def test_topic_and_language_shape_the_digest(harness, clock):
    sub = await _subscribe(harness, language_code="it")
    await harness.press(f"sub:{sub.id}:top:s3-basics", language_code="it")
    await digest.check_due(harness.app, now=MONDAY_9_ROME)
    [message] = [c for c in harness.api.sent("sendMessage") if "Trento" in c.text]
    assert "Laboratorio EDP a Trento" in message.text and "A new call" not in message.text


async def test_blocked_user_is_deactivated_and_not_retried(harness, clock):
    await _subscribe(harness)
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await digest.check_due(harness.app, now=MONDAY_9_ROME)
    async with harness.runtime.sessionmaker() as s:
        sub = await s.scalar(select(DigestSubscription))
        row = await s.scalar(select(DigestOutbox))
    assert not sub.active and "blocked" in sub.inactive_reason and row.status == "blocked"
    await digest.check_due(harness.app, now=MONDAY_9_ROME + timedelta(weeks=1))
    assert len(_digests(harness)) == 1  # the refused attempt only


async def test_chat_not_found_is_deactivated_too(harness, clock):
    await _subscribe(harness)
    harness.api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await digest.check_due(harness.app, now=MONDAY_9_ROME)
    async with harness.runtime.sessionmaker() as s:
        assert not (await s.scalar(select(DigestSubscription))).active


async def test_429_is_waited_out_and_the_digest_delivered(harness, clock):
    await _subscribe(harness)
    harness.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", {"retry_after": 5})
    start = clock.now
    await digest.check_due(harness.app, now=MONDAY_9_ROME)
    assert len(_digests(harness)) == 2 and clock.now - start >= 5  # refused, then delivered
    async with harness.runtime.sessionmaker() as s:
        assert (await s.scalar(select(DigestOutbox))).status == "sent"


async def test_staff_preview_send_status_and_announce(harness, clock):
    sub = await _subscribe(harness)
    assert "for project staff only" in (await harness.ask("/digest_send")).text
    preview = harness.messages(await harness.say("/digest_preview", **ADMIN))
    assert "Preview" in preview[0].text and "what is new" in preview[0].text

    reply = await harness.ask("/digest_send now", **ADMIN)
    assert "Run #1 started: 1 message queued" in reply.text
    await asyncio.sleep(0)  # let the background drain start, then wait for it
    async with digest._state(harness.app).lock:
        pass
    assert len(_digests(harness)) == 1
    status = await harness.ask("/digest_status", **ADMIN)
    assert "sent 1 · pending 0 · failed 0 · blocked 0" in status.text

    assert "for example" in (await harness.ask("/announce", **ADMIN)).text
    reply = await harness.ask("/announce lang:en The <b>final</b> conference is online.", **ADMIN)
    assert "1 message queued" in reply.text
    await asyncio.sleep(0)
    async with digest._state(harness.app).lock:
        pass
    [announcement] = [c for c in harness.api.sent("sendMessage")
                      if "Announcement" in c.text and int(c.params["chat_id"]) == sub.chat_id]
    assert "The &lt;b&gt;final&lt;/b&gt; conference is online." in announcement.text
    reply = await harness.ask("/announce lang:de Hallo", **ADMIN)
    assert "No subscriber matches" in reply.text


async def test_a_group_upgraded_to_a_supergroup_gets_its_digest_at_the_new_id(harness, clock):
    """Telegram answers a send to the old group id with its new id: the subscription moves
    and the same digest goes to the supergroup."""
    sub = await _subscribe(harness)
    await harness.press(f"sub:{sub.id}:empty")  # a digest every week, to see where the next goes
    new_id = -1001234567890
    harness.api.fail_next("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
                          {"migrate_to_chat_id": new_id})
    await digest.check_due(harness.app, now=MONDAY_9_ROME)
    assert len(_digests(harness, new_id)) == 1
    async with harness.runtime.sessionmaker() as s:
        moved = await s.get(DigestSubscription, sub.id)
        row = await s.scalar(select(DigestOutbox))
    assert (moved.chat_id, moved.chat_type, moved.active) == (new_id, "supergroup", True)
    assert (row.chat_id, row.status) == (new_id, "sent")
    await digest.check_due(harness.app, now=MONDAY_9_ROME + timedelta(weeks=1))
    assert len(_digests(harness, new_id)) == 2 and len(_digests(harness)) == 1  # refused once
