"""End-to-end through the fake Bot API: a Telegram outage delays digests but loses none, and a
bot starting while `s3bot digest send` delivers does not send anything twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.db.models import utcnow
from bot.handlers import digest
from bot.handlers.digest_transport import TelegramTransport, plain_bot
from bot.services import subscriptions
from bot.services.digest_delivery import make_sender
from bot.services.subscriptions import subscribe
from tests.conftest import make_settings
from tests.services.test_digest_support import FakeClock, fake_limiter, make_knowledge

MONDAY_9_ROME = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SUBSCRIBED_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    return make_settings(db_url, knowledge_dir=make_knowledge(tmp_path))


@pytest.fixture
def moment(harness, monkeypatch):  # type: ignore[no-untyped-def]
    """The bot's digest sender runs on the test's wall clock; pacing on a fake one."""
    monkeypatch.setattr(subscriptions, "utcnow", lambda: SUBSCRIBED_AT)
    digest._state(harness.app).limiter = fake_limiter(FakeClock())
    clock = {"now": MONDAY_9_ROME}

    def sender_on_the_clock(*args, **kwargs):  # type: ignore[no-untyped-def]
        return make_sender(*args, now=lambda: clock["now"], **kwargs)

    monkeypatch.setattr(digest, "make_sender", sender_on_the_clock)
    return clock


async def _tick(harness, moment, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """The due job fires (once a minute in production)."""
    moment["now"] = at
    await digest.check_due(harness.app, now=at)


def _digests(harness, news: str = "A new call for clusters") -> list[str]:  # type: ignore[no-untyped-def]
    """Digest sends with the news, refused ones included (the fake API records every call)."""
    return [c.text for c in harness.api.sent("sendMessage")
            if "what is new" in c.text and news in c.text]


def _outage(harness, calls: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(calls):
        harness.api.fail_next("sendMessage", 502, "Bad Gateway")


def _refused(harness, planned: int) -> int:  # type: ignore[no-untyped-def]
    """How many of the planned failures were used, then Telegram is back."""
    left = len(harness.api.failures.pop("sendMessage", []))
    return planned - left


async def _row_and_sub(harness):  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        return await s.scalar(select(DigestOutbox)), await s.scalar(select(DigestSubscription))


async def test_a_five_minute_outage_delays_the_digest_but_does_not_lose_it(harness, moment):
    await harness.ask("/subscribe")
    _outage(harness, 20)
    for minute in range(6):  # Telegram is unreachable for five minutes
        await _tick(harness, moment, MONDAY_9_ROME + timedelta(minutes=minute))
    refused = _refused(harness, 20)
    assert refused >= 5 and len(_digests(harness)) == refused  # every try was refused
    assert (await _row_and_sub(harness))[0].status == "pending"
    for minute in range(6, 15):  # back: a later tick delivers it, once
        await _tick(harness, moment, MONDAY_9_ROME + timedelta(minutes=minute))
    assert len(_digests(harness)) == refused + 1
    assert (await _row_and_sub(harness))[0].status == "sent"


async def test_a_digest_undelivered_for_a_day_is_folded_into_the_next(harness, moment):
    await harness.ask("/subscribe")
    _outage(harness, 40)
    for hours in (0, 1, 6, 12, 18, 23, 24, 25):  # down for more than a day
        await _tick(harness, moment, MONDAY_9_ROME + timedelta(hours=hours))
    refused = _refused(harness, 40)
    row, sub = await _row_and_sub(harness)
    assert row.status == "failed" and "Bad Gateway" in row.error
    assert len(_digests(harness)) == refused  # nothing got through
    assert sub.last_digest_at is None  # that was the first digest: the next one is, again
    await _tick(harness, moment, MONDAY_9_ROME + timedelta(weeks=1))
    assert len(_digests(harness)) == refused + 1  # the lost digest's news come with the next


async def _queue(harness, chats) -> None:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        run = DigestRun(kind="digest", trigger="manual", skipped=0, created_at=MONDAY_9_ROME)
        s.add(run)
        await s.flush()
        for chat in chats:
            sub, _ = await subscribe(s, chat, language="en", timezone="UTC", user_id=None)
            s.add(DigestOutbox(run_id=run.id, chat_id=chat, subscription_id=sub.id,
                               parts=[f"digest for {chat}"], buttons=[], status="pending",
                               parts_sent=0, message_ids=[], attempts=0))
        await s.commit()


class SlowTransport(TelegramTransport):
    async def send(self, chat_id, text, buttons):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.01)  # a real round trip takes a while
        return await super().send(chat_id, text, buttons)


async def test_starting_the_bot_while_the_cli_delivers_sends_nothing_twice(harness, moment):
    chats = list(range(1, 21))
    await _queue(harness, chats)
    async with harness.runtime.sessionmaker() as s:  # a bot that crashed mid-send
        crashed = DigestRun(kind="announce", trigger="manual", skipped=0,
                            created_at=MONDAY_9_ROME)
        s.add(crashed)
        await s.flush()
        s.add(DigestOutbox(run_id=crashed.id, chat_id=99, parts=["left by the old bot"],
                           buttons=[], status="sending", claimed_by="bot-0ld",
                           claimed_at=utcnow(), parts_sent=0, message_ids=[], attempts=0))
        await s.commit()
    cli = make_sender(harness.runtime.sessionmaker, harness.runtime.settings,
                      SlowTransport(plain_bot(harness.app.bot)), worker="cli-test",
                      limiter=fake_limiter(FakeClock()), concurrency=2)
    delivering = asyncio.create_task(cli.drain())
    await asyncio.sleep(0.03)  # the CLI has claimed its batch and sent a few
    await digest.on_startup(harness.app, harness.runtime)
    await digest.drain(harness.app)  # the bot's first pass
    await delivering
    sends = Counter(int(c.params["chat_id"]) for c in harness.api.sent("sendMessage"))
    # On SQLite one bot runs, so an earlier bot's claim is its own to resume at start; on
    # PostgreSQL other bot workers may be running, so that claim waits for its lease.
    sqlite = harness.runtime.engine.dialect.name == "sqlite"
    assert sends == Counter([*chats, 99] if sqlite else chats)  # each once
    async with harness.runtime.sessionmaker() as s:
        statuses = dict((await s.execute(select(DigestOutbox.chat_id, DigestOutbox.status))).all())
    assert {statuses[chat] for chat in chats} == {"sent"}
    assert statuses[99] == ("sent" if sqlite else "sending")
