"""The outbox and its sender: pacing, 429/403/400/network outcomes, crash recovery and
concurrent senders."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.db.models import utcnow
from bot.services import outbox
from bot.services.chat_moves import move_chat
from bot.services.outbox_sender import ChatMoved, OutboxSender
from bot.services.send_limits import RateLimiter, SendLimits
from bot.services.subscriptions import subscribe
from tests.services.test_digest_support import (
    NOW,
    ChatUnavailable,
    FakeClock,
    FakeTransport,
    RetryLater,
    TemporaryFailure,
    fake_limiter,
)


async def _queue(runtime, chats, parts=1, is_group=False) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """A run with one row per chat (each with a subscription); returns chat -> subscription id."""
    subs = {}
    async with runtime.sessionmaker() as s:
        run = DigestRun(kind="digest", trigger="manual", skipped=0)
        s.add(run)
        await s.flush()
        for chat in chats:
            sub, _ = await subscribe(s, chat, language="en", timezone="UTC", user_id=None, now=NOW)
            subs[chat] = sub.id
            s.add(DigestOutbox(run_id=run.id, chat_id=chat, subscription_id=sub.id, is_group=is_group,
                               parts=[f"part {i + 1} for {chat}" for i in range(parts)],
                               buttons=[["🔕 Unsubscribe", f"dgu:{sub.id}"]], status="pending",
                               parts_sent=0, message_ids=[], attempts=0))
        await s.commit()
    return subs


def _sender(runtime, transport, clock, **kw) -> OutboxSender:  # type: ignore[no-untyped-def]
    return OutboxSender(runtime.sessionmaker, transport, fake_limiter(clock),
                        sleep=clock.sleep, retry_seconds=0, **kw)


async def _statuses(runtime) -> dict[int, str]:  # type: ignore[no-untyped-def]
    async with runtime.sessionmaker() as s:
        return {r.chat_id: r.status for r in (await s.scalars(select(DigestOutbox))).all()}


async def test_limiter_paces_overall_per_chat_and_per_group():
    clock = FakeClock()
    limiter = fake_limiter(clock, per_second=30, chat_interval=1.0, group_per_minute=20)
    start = clock.now
    for chat in range(60):
        await limiter.acquire(chat, False)
    assert 60 / 30 <= clock.now - start <= 60 / (30 * 0.97)  # evenly spaced, a little headroom
    before = clock.now
    await limiter.acquire(7, False)
    await limiter.acquire(7, False)
    assert clock.now - before >= 1.0
    before = clock.now
    await limiter.acquire(-100, True)
    await limiter.acquire(-100, True)
    assert clock.now - before >= 3.0  # 20 per minute in a group
    limiter.pause(5)
    before = clock.now
    await limiter.acquire(99, False)
    assert clock.now - before >= 5


async def test_every_part_is_sent_in_order_with_buttons_on_the_last(runtime):
    await _queue(runtime, [1, 2], parts=2)
    transport, clock = FakeTransport(), FakeClock()
    stats = await _sender(runtime, transport, clock).drain()
    assert transport.to(1) == ["part 1 for 1", "part 2 for 1"]
    assert [b for c, _, b in transport.sent if c == 1] == [(), (("🔕 Unsubscribe", "dgu:1"),)]
    assert (stats.sent, stats.messages) == (2, 4)
    async with runtime.sessionmaker() as s:
        row = await s.scalar(select(DigestOutbox).where(DigestOutbox.chat_id == 1))
    assert row.status == "sent" and len(row.message_ids) == 2 and row.parts_sent == 2


async def test_429_is_honoured_and_retried(runtime):
    await _queue(runtime, [1, 2])
    transport, clock = FakeTransport(), FakeClock()
    transport.fail[1] = [RetryLater(7), RetryLater(7)]
    stats = await _sender(runtime, transport, clock).drain()
    assert transport.to(1) == ["part 1 for 1"] and stats.too_many_requests == 2
    assert clock.now - 1000 >= 14  # waited retry_after each time
    assert await _statuses(runtime) == {1: "sent", 2: "sent"}


async def test_blocked_and_unknown_chats_are_deactivated_without_retry(runtime):
    subs = await _queue(runtime, [1, 2, 3])
    transport, clock = FakeTransport(), FakeClock()
    transport.fail[1] = [ChatUnavailable("forbidden: bot was blocked by the user")]
    transport.fail[2] = [ChatUnavailable("Chat not found")]
    stats = await _sender(runtime, transport, clock).drain()
    assert stats.blocked == 2 and transport.to(3) and not transport.to(1)
    assert await _statuses(runtime) == {1: "blocked", 2: "blocked", 3: "sent"}
    async with runtime.sessionmaker() as s:
        active = {sid: (await s.get(DigestSubscription, sid)).active for sid in subs.values()}
    assert active == {subs[1]: False, subs[2]: False, subs[3]: True}


async def test_network_errors_retry_with_backoff_beyond_the_attempt_limit(runtime):
    # A network outage is not the message's fault: it is retried (until a deadline a day
    # after the run, tests/services/test_outbox_failures.py), not failed after a few tries.
    await _queue(runtime, [1, 2])
    transport, clock = FakeTransport(), FakeClock()
    transport.fail[1] = [TemporaryFailure("timed out")] * 2
    transport.fail[2] = [TemporaryFailure("timed out")] * 10
    start = utcnow()  # the wall clock moves with the fake one: backoff waits take no real time
    stats = await _sender(runtime, transport, clock, max_attempts=3,
                          now=lambda: start + timedelta(seconds=clock() - 1000)).drain()
    assert transport.to(1) == ["part 1 for 1"] and transport.to(2) == ["part 1 for 2"]
    assert stats.failed == 0 and await _statuses(runtime) == {1: "sent", 2: "sent"}
    async with runtime.sessionmaker() as s:
        retried = await s.scalar(select(DigestOutbox).where(DigestOutbox.chat_id == 2))
    assert retried.attempts == 10


async def _restart_and_drain(runtime, transport):  # type: ignore[no-untyped-def]
    """A new process: a lone sender gives every claim back, then drains."""
    async with runtime.sessionmaker() as s:
        await outbox.release_claims(s, NOW, 300, all_claims=True)
        await s.commit()
    return await _sender(runtime, transport, FakeClock()).drain()


async def test_crash_between_claim_and_send_loses_nothing_and_duplicates_nothing(runtime):
    await _queue(runtime, [1, 2, 3])
    transport = FakeTransport()
    transport.crash_before.add(2)
    with pytest.raises(BaseExceptionGroup):
        await _sender(runtime, transport, FakeClock(), concurrency=1).drain()
    assert "sending" in (await _statuses(runtime)).values()
    await _restart_and_drain(runtime, transport)
    assert [len(transport.to(c)) for c in (1, 2, 3)] == [1, 1, 1]
    assert set((await _statuses(runtime)).values()) == {"sent"}


async def test_crash_between_send_and_mark_sent_repeats_only_that_message(runtime):
    await _queue(runtime, [1, 2, 3], parts=2)
    transport = FakeTransport()
    transport.crash_after.add(2)
    with pytest.raises(BaseExceptionGroup):
        await _sender(runtime, transport, FakeClock(), concurrency=1).drain()
    await _restart_and_drain(runtime, transport)
    # The documented window: chat 2's first part was delivered but not recorded.
    assert transport.to(2) == ["part 1 for 2", "part 1 for 2", "part 2 for 2"]
    assert transport.to(1) == ["part 1 for 1", "part 2 for 1"]
    assert transport.to(3) == ["part 1 for 3", "part 2 for 3"]
    assert set((await _statuses(runtime)).values()) == {"sent"}


async def test_expired_leases_only_are_released(runtime):
    await _queue(runtime, [1])
    async with runtime.sessionmaker() as s:
        claimed = await outbox.claim_batch(s, NOW, 10, "a")
        await s.commit()
        assert len(claimed) == 1 and await outbox.claim_batch(s, NOW, 10, "b") == []
        assert await outbox.release_claims(s, NOW.replace(minute=1), 300) == 0
        assert await outbox.release_claims(s, NOW.replace(minute=6), 300) == 1
        await s.commit()


async def test_two_senders_draining_at_once_send_each_message_once(runtime):
    await _queue(runtime, list(range(1, 41)))
    transport = FakeTransport()
    first = _sender(runtime, transport, FakeClock(), batch=5, worker="a")
    second = _sender(runtime, transport, FakeClock(), batch=5, worker="b")
    await asyncio.gather(first.drain(), second.drain())
    assert sorted(c for c, _, _ in transport.sent) == list(range(1, 41))
    assert set((await _statuses(runtime)).values()) == {"sent"}


class SteppedClock:
    """Simulated time for concurrent senders: sleepers wake only when the test moves time on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sent: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        target = self.now + seconds
        while self.now < target - 1e-9:  # noqa: ASYNC110 - stepped by the test
            await asyncio.sleep(0)

    def senders(self, limiter: RateLimiter, chats: int) -> list[asyncio.Task]:
        async def send(chat: int) -> None:
            await limiter.acquire(chat, False)
            self.sent.append(self.now)

        return [asyncio.create_task(send(chat)) for chat in range(chats)]

    async def run(self, tasks: list[asyncio.Task], step: float, until_sent: int | None = None
                  ) -> None:
        while (len(self.sent) < until_sent) if until_sent else not all(t.done() for t in tasks):
            await asyncio.sleep(0)
            self.now += step


async def test_senders_woken_together_after_a_stall_do_not_burst():
    clock = SteppedClock()
    limiter = RateLimiter(SendLimits(per_second=10, headroom=1.0), clock=clock, sleep=clock.sleep)
    tasks = clock.senders(limiter, 40)
    await asyncio.sleep(0)
    clock.now += 1.5  # the event loop stalls: every slot up to here has passed
    await clock.run(tasks, 0.01)
    assert len(clock.sent) == 40
    busiest = max(sum(1 for s in clock.sent if t <= s < t + 1.0) for t in clock.sent)
    assert busiest <= 10


async def test_a_429_holds_back_senders_that_were_already_waiting():
    clock = SteppedClock()
    limiter = RateLimiter(SendLimits(per_second=30, headroom=1.0), clock=clock, sleep=clock.sleep)
    tasks = clock.senders(limiter, 60)
    await clock.run(tasks, 0.005, until_sent=5)
    limiter.pause(3.0)  # Telegram answered 429 retry_after=3 at this moment
    paused_at = clock.now
    await clock.run(tasks, 0.005)
    assert not [s for s in clock.sent if paused_at < s < paused_at + 3.0]


async def test_a_chat_that_moved_gets_the_part_at_its_new_id(runtime):
    subs = await _queue(runtime, [-500, -600], parts=2, is_group=True)
    transport, clock = FakeTransport(), FakeClock()
    transport.fail[-500] = [ChatMoved(-1005000)]
    transport.fail[-600] = [ChatMoved(-1006000)]
    transport.fail[-1006000] = [ChatMoved(-1007000)]  # moved again at once: give up
    stats = await _sender(runtime, transport, clock).drain()
    assert transport.to(-1005000) == ["part 1 for -500", "part 2 for -500"]
    assert not transport.to(-1007000) and stats.sent == 1 and stats.blocked == 1
    assert await _statuses(runtime) == {-1005000: "sent", -1006000: "blocked"}
    async with runtime.sessionmaker() as s:
        moved = await s.get(DigestSubscription, subs[-500])
    assert (moved.chat_id, moved.active) == (-1005000, True)


async def test_a_row_already_moved_by_the_upgrade_message_is_sent_at_once(runtime):
    """The service message moved the claimed row while its send was in flight: the sender
    finds it at the new id, still claimed, and sends there instead of waiting for the lease."""
    await _queue(runtime, [-500], is_group=True)
    transport, clock = FakeTransport(), FakeClock()
    sender = _sender(runtime, transport, clock)
    async with runtime.sessionmaker() as s:
        [claimed] = await outbox.claim_batch(s, NOW, 10, sender.worker)
        await s.commit()
    async with runtime.sessionmaker() as s:
        await move_chat(s, -500, -1005000)
        await s.commit()
    transport.fail[-500] = [ChatMoved(-1005000)]
    await sender._deliver(claimed)
    assert transport.to(-1005000) == ["part 1 for -500"] and sender.stats.failed == 0
    assert await _statuses(runtime) == {-1005000: "sent"}


async def test_two_digests_for_a_moved_chat_both_arrive(runtime):
    await _queue(runtime, [-500], is_group=True)
    await _queue(runtime, [-500], is_group=True)  # a second run: e.g. an announcement
    transport, clock = FakeTransport(), FakeClock()
    transport.fail[-500] = [ChatMoved(-1005000), ChatMoved(-1005000)]
    stats = await _sender(runtime, transport, clock).drain()
    assert transport.to(-1005000) == ["part 1 for -500", "part 1 for -500"]
    assert (stats.sent, stats.failed) == (2, 0)
