"""Claims are owned: only the worker holding a row's claim may record, settle or defer it,
and a sender whose claim was taken away stops working on that row."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.db.digest import DigestOutbox, DigestRun
from bot.services import outbox
from bot.services.digest_delivery import BOT_WORKER, release_stale_claims
from bot.services.outbox_sender import OutboxSender
from tests.services.test_digest_support import NOW, FakeClock, FakeTransport, fake_limiter


async def _queue(runtime, chats, parts=1) -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessionmaker() as s:
        run = DigestRun(kind="announce", trigger="manual", skipped=0, created_at=NOW)
        s.add(run)
        await s.flush()
        s.add_all([DigestOutbox(run_id=run.id, chat_id=chat, parts=[
            f"part {i + 1} for {chat}" for i in range(parts)], buttons=[], status="pending",
            parts_sent=0, message_ids=[], attempts=0) for chat in chats])
        await s.commit()


async def _row(runtime) -> DigestOutbox:  # type: ignore[no-untyped-def]
    async with runtime.sessionmaker() as s:
        return await s.scalar(select(DigestOutbox))


async def _take_over(runtime, worker: str, at=NOW) -> None:  # type: ignore[no-untyped-def]
    """The lease ran out and `worker` claimed the row again."""
    async with runtime.sessionmaker() as s:
        await s.execute(update(DigestOutbox).values(status="sending", claimed_by=worker,
                                                    claimed_at=at))
        await s.commit()


async def test_only_the_claim_holder_records_settles_or_defers(runtime):
    await _queue(runtime, [1], parts=2)
    async with runtime.sessionmaker() as s:
        [claimed] = await outbox.claim_batch(s, NOW, 10, "a")
        await s.commit()
    await _take_over(runtime, "b")
    async with runtime.sessionmaker() as s:
        assert not await outbox.record_part(s, claimed.id, 0, 900, NOW, False, worker="a")
        assert not await outbox.settle(s, claimed.id, "failed", "late", worker="a")
        assert not await outbox.defer(s, claimed.id, NOW, "late", attempt=True, worker="a")
        assert not await outbox.renew(s, claimed.id, "a", NOW)
        await s.commit()
    row = await _row(runtime)
    assert (row.status, row.claimed_by, row.parts_sent, row.message_ids, row.attempts) == (
        "sending", "b", 0, [], 0)
    async with runtime.sessionmaker() as s:
        assert await outbox.record_part(s, claimed.id, 0, 901, NOW, False, worker="b")
        assert not await outbox.record_part(s, claimed.id, 0, 902, NOW, False, worker="b")
        await s.commit()
    assert (await _row(runtime)).message_ids == [901]  # a part is recorded once


async def test_a_sender_stops_when_its_claim_is_taken_mid_digest(runtime):
    await _queue(runtime, [1], parts=3)
    transport, clock = FakeTransport(), FakeClock()
    sender = OutboxSender(runtime.sessionmaker, transport, fake_limiter(clock),
                          sleep=clock.sleep, worker="a", now=lambda: NOW)
    real_send = transport.send

    async def send_then_lose_the_claim(chat_id, text, buttons):  # type: ignore[no-untyped-def]
        message_id = await real_send(chat_id, text, buttons)
        await _take_over(runtime, "b")  # e.g. the bot started and took it over
        return message_id

    transport.send = send_then_lose_the_claim  # type: ignore[method-assign]
    stats = await sender.drain()
    assert transport.to(1) == ["part 1 for 1"]  # parts 2 and 3 are left to the new holder
    assert stats.sent == 0
    row = await _row(runtime)
    assert (row.status, row.claimed_by, row.parts_sent) == ("sending", "b", 0)


async def test_a_claim_that_expired_while_waiting_is_checked_before_sending(runtime):
    await _queue(runtime, [1])
    transport, clock = FakeTransport(), FakeClock()
    later = {"now": NOW}
    sender = OutboxSender(runtime.sessionmaker, transport, fake_limiter(clock),
                          sleep=clock.sleep, worker="a", now=lambda: later["now"])
    async with runtime.sessionmaker() as s:
        [claimed] = await outbox.claim_batch(s, NOW, 10, "a")
        await s.commit()
    later["now"] = NOW + timedelta(minutes=6)  # a long 429 pause: the lease ran out
    await _take_over(runtime, "b", later["now"])
    await sender._deliver(claimed)
    assert transport.sent == [] and (await _row(runtime)).claimed_by == "b"


async def test_a_starting_bot_takes_back_only_an_earlier_bots_claims(runtime):
    await _queue(runtime, [1, 2, 3])
    async with runtime.sessionmaker() as s:
        await outbox.claim_batch(s, NOW, 1, f"{BOT_WORKER}dead")
        await outbox.claim_batch(s, NOW, 1, "cli-live")
        await outbox.claim_batch(s, NOW - timedelta(hours=1), 1, "cli-dead")
        await s.commit()
    released = await release_stale_claims(runtime.sessionmaker, runtime.settings,
                                          now=NOW, worker_prefix=BOT_WORKER)
    assert released == 2
    async with runtime.sessionmaker() as s:
        rows = {r.chat_id: (r.status, r.claimed_by)
                for r in (await s.scalars(select(DigestOutbox))).all()}
    assert rows == {1: ("pending", None), 2: ("sending", "cli-live"), 3: ("pending", None)}
