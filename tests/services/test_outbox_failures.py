"""The outbox when things go wrong for longer: network outages are retried until a deadline
(not a count), a digest that finally fails gives its period back to the subscription, and a
database error while recording one send neither aborts nor duplicates the others."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.services import outbox
from bot.services.outbox_sender import OutboxSender, Rejected
from bot.services.subscriptions import as_utc, subscribe
from tests.services.test_digest_support import (
    NOW,
    FakeClock,
    FakeTransport,
    TemporaryFailure,
    fake_limiter,
)


class Moment:
    """The sender's wall clock (run deadlines, backoff); it moves when the sender sleeps."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now, self.pace = now, FakeClock()

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(seconds, 0.0))


async def _queue(runtime, chats, *, created_at=NOW, kind="digest") -> dict[int, int]:  # type: ignore[no-untyped-def]
    """A run made at `created_at` with one row per chat; returns chat -> subscription id."""
    subs = {}
    async with runtime.sessionmaker() as s:
        run = DigestRun(kind=kind, trigger="schedule", skipped=0, created_at=created_at)
        s.add(run)
        await s.flush()
        for chat in chats:
            sub, _ = await subscribe(s, chat, language="en", timezone="UTC", user_id=None, now=NOW)
            subs[chat] = sub.id
            s.add(DigestOutbox(run_id=run.id, chat_id=chat, subscription_id=sub.id,
                               parts=[f"digest for {chat}"], buttons=[], status="pending",
                               parts_sent=0, message_ids=[], attempts=0))
        await s.commit()
    return subs


def _sender(runtime, transport, moment: Moment, **kw) -> OutboxSender:  # type: ignore[no-untyped-def]
    return OutboxSender(runtime.sessionmaker, transport, fake_limiter(moment.pace),
                        now=moment, sleep=moment.sleep, **kw)


async def _rows(runtime) -> dict[int, DigestOutbox]:  # type: ignore[no-untyped-def]
    async with runtime.sessionmaker() as s:
        return {r.chat_id: r for r in (await s.scalars(select(DigestOutbox))).all()}


async def test_network_errors_do_not_count_toward_the_attempt_limit(runtime):
    await _queue(runtime, [1])
    transport, moment = FakeTransport(), Moment()
    transport.fail[1] = [TemporaryFailure("Bad Gateway")] * 12  # well past max_attempts
    stats = await _sender(runtime, transport, moment, max_attempts=5, retry_seconds=2.0).drain()
    row = (await _rows(runtime))[1]
    assert transport.to(1) == ["digest for 1"] and row.status == "sent" and stats.failed == 0
    assert row.attempts == 12  # still counted, for the backoff and for /digest_status


async def test_a_network_outage_is_retried_until_the_deadline(runtime):
    await _queue(runtime, [2])
    transport, moment = FakeTransport(), Moment()
    transport.fail[2] = [TemporaryFailure("timed out")] * 100  # down for good
    sender = _sender(runtime, transport, moment, max_attempts=3, retry_seconds=1000.0)
    for moment.now in (NOW, NOW + timedelta(hours=1), NOW + timedelta(hours=12),
                       NOW + timedelta(hours=23, minutes=58)):  # the bot's ticks
        await sender.drain(wait_for_retries=False)
        row = (await _rows(runtime))[2]
        assert row.status == "pending"
        # Capped backoff, and never later than the deadline: the last try is at the deadline.
        assert as_utc(row.not_before) == min(moment.now + timedelta(minutes=5),
                                             NOW + timedelta(hours=24))
    moment.now = NOW + timedelta(hours=24)
    stats = await sender.drain(wait_for_retries=False)
    row = (await _rows(runtime))[2]
    assert stats.failed == 1 and row.status == "failed" and "timed out" in row.error
    assert row.attempts == 4 and not transport.to(2)  # four deferrals, then the end


async def test_a_waiting_drain_gives_up_waiting_but_not_the_row(runtime):
    """The CLI waits a while for retries, then leaves the row to the next pass."""
    await _queue(runtime, [3])
    transport, moment = FakeTransport(), Moment()
    transport.fail[3] = [TemporaryFailure("Bad Gateway")] * 1000
    await _sender(runtime, transport, moment, retry_seconds=2.0).drain(max_wait=600)
    assert timedelta(minutes=10) <= moment.now - NOW <= timedelta(minutes=11)
    assert (await _rows(runtime))[3].status == "pending"
    transport.fail[3].clear()
    moment.now += timedelta(minutes=5)
    await _sender(runtime, transport, moment).drain(wait_for_retries=False)
    assert (await _rows(runtime))[3].status == "sent" and transport.to(3) == ["digest for 3"]


async def test_a_permanent_rejection_fails_at_once(runtime):
    await _queue(runtime, [1])
    transport, moment = FakeTransport(), Moment()
    transport.fail[1] = [Rejected("Bad Request: can't parse entities")]
    stats = await _sender(runtime, transport, moment).drain()
    row = (await _rows(runtime))[1]
    assert stats.failed == 1 and row.status == "failed" and row.attempts == 0
    assert "parse entities" in row.error and not transport.to(1)


async def _set_last_digest(runtime, sub_id: int, moment: datetime | None) -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessionmaker() as s:
        (await s.get(DigestSubscription, sub_id)).last_digest_at = moment
        await s.commit()


async def _last_digest(runtime, sub_id: int) -> datetime | None:  # type: ignore[no-untyped-def]
    async with runtime.sessionmaker() as s:
        return as_utc((await s.get(DigestSubscription, sub_id)).last_digest_at)


async def _mark(runtime, chat: int, created_at: datetime, status: str) -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessionmaker() as s:
        row = await s.scalar(select(DigestOutbox).join(DigestRun).where(
            DigestOutbox.chat_id == chat, DigestRun.created_at == created_at))
        row.status = status
        await s.commit()


async def test_a_digest_that_finally_fails_gives_its_period_back(runtime):
    """Runs at t1 (sent), t2 (failed earlier), an announcement, and t3 (fails now): t3's
    digest covered the period since t1, so the next digest must cover it again."""
    t1, t2, t3 = NOW - timedelta(weeks=3), NOW - timedelta(weeks=2), NOW
    subs = await _queue(runtime, [7], created_at=t1)
    await _mark(runtime, 7, t1, "sent")
    await _queue(runtime, [7], created_at=t2)
    await _mark(runtime, 7, t2, "failed")
    await _queue(runtime, [7], created_at=t2 + timedelta(days=1), kind="announce")
    await _mark(runtime, 7, t2 + timedelta(days=1), "sent")
    await _queue(runtime, [7], created_at=t3)
    await _set_last_digest(runtime, subs[7], t3)  # what queuing the t3 digest did

    transport, moment = FakeTransport(), Moment(t3 + timedelta(days=2))  # past the deadline
    transport.fail[7] = [TemporaryFailure("Bad Gateway")]
    stats = await _sender(runtime, transport, moment).drain()
    assert stats.failed == 1
    assert await _last_digest(runtime, subs[7]) == t1


async def test_a_digest_telegram_refuses_keeps_its_period(runtime):
    # Its news would be refused again with the next digest, and then every digest after it.
    subs = await _queue(runtime, [9], created_at=NOW - timedelta(weeks=1))
    await _mark(runtime, 9, NOW - timedelta(weeks=1), "sent")
    await _queue(runtime, [9], created_at=NOW)
    await _set_last_digest(runtime, subs[9], NOW)
    transport = FakeTransport()
    transport.fail[9] = [Rejected("Bad Request: can't parse entities")]
    stats = await _sender(runtime, transport, Moment()).drain()
    assert stats.failed == 1
    assert await _last_digest(runtime, subs[9]) == NOW


async def test_a_failed_first_digest_leaves_the_subscriber_as_new(runtime):
    subs = await _queue(runtime, [8])
    await _set_last_digest(runtime, subs[8], NOW)
    transport, moment = FakeTransport(), Moment(NOW + timedelta(days=2))
    transport.fail[8] = [TemporaryFailure("Bad Gateway")]
    await _sender(runtime, transport, moment).drain()
    assert (await _rows(runtime))[8].status == "failed"  # past the deadline: no more tries
    assert await _last_digest(runtime, subs[8]) is None  # the next one is a first digest again


def _flaky_record(monkeypatch, fail_on):  # type: ignore[no-untyped-def]
    """record_part raises a database error whenever `fail_on(call number, row id)` says so."""
    real, calls = outbox.record_part, Counter()

    async def record_part(session, row_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if fail_on(calls["n"], row_id):
            raise OperationalError("UPDATE digest_outbox", {}, Exception("database is locked"))
        return await real(session, row_id, *args, **kwargs)

    monkeypatch.setattr(outbox, "record_part", record_part)
    return real


async def test_one_failed_commit_is_retried_and_nothing_is_sent_twice(runtime, monkeypatch):
    await _queue(runtime, list(range(1, 31)))
    transport, moment = FakeTransport(), Moment()
    _flaky_record(monkeypatch, lambda n, row_id: n == 3)
    stats = await _sender(runtime, transport, moment, concurrency=8).drain()
    assert sorted(c for c, _, _ in transport.sent) == list(range(1, 31))
    assert stats.sent == 30
    assert {r.status for r in (await _rows(runtime)).values()} == {"sent"}


async def test_a_row_that_cannot_be_recorded_does_not_abort_the_others(runtime, monkeypatch):
    await _queue(runtime, list(range(1, 31)))
    stuck = (await _rows(runtime))[5].id
    transport, moment = FakeTransport(), Moment()
    real = _flaky_record(monkeypatch, lambda n, row_id: row_id == stuck)
    stats = await _sender(runtime, transport, moment, concurrency=8).drain()  # does not raise
    rows = await _rows(runtime)
    assert stats.sent == 29 and rows[5].status == "sending"  # left for a later pass
    assert {r.status for c, r in rows.items() if c != 5} == {"sent"}
    assert Counter(c for c, _, _ in transport.sent) == Counter(range(1, 31))

    monkeypatch.setattr(outbox, "record_part", real)
    moment.now += timedelta(minutes=6)  # a later pass, once the lease has run out
    async with runtime.sessionmaker() as s:
        assert await outbox.release_claims(s, moment.now, 300) == 1
        await s.commit()
    await _sender(runtime, transport, moment).drain()
    sends = Counter(c for c, _, _ in transport.sent)
    assert sends[5] == 2 and all(sends[c] == 1 for c in range(1, 31) if c != 5)
    assert (await _rows(runtime))[5].status == "sent"


async def test_a_pass_that_does_not_wait_tries_each_ready_row_once_during_an_outage(runtime):
    # The bot's once-a-minute pass: rows it defers come back at the next pass, not within this
    # one, or a long outage would keep one pass (and the due-run lock) busy for a day.
    chats = list(range(1, 121))
    await _queue(runtime, chats)
    transport = FakeTransport()
    for chat in chats:
        transport.fail[chat] = [TemporaryFailure("timed out")] * 100
    sender = _sender(runtime, transport, Moment(), retry_seconds=0.0, batch=50, concurrency=4)
    stats = await asyncio.wait_for(sender.drain(wait_for_retries=False), timeout=30)
    assert stats.deferred == len(chats)
    assert all(len(transport.fail[chat]) == 99 for chat in chats)  # one try each
