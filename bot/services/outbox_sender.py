"""Drain the digest outbox through a transport, within Telegram's limits.

The transport (the Telegram adapter in `bot/handlers/digest_transport.py`, or a fake) sends
one message and translates failures into the errors below, so this module stays free of
Telegram imports and is shared by the bot, the CLI and the benchmark.

Outcomes: a 429 pauses every send for its retry_after and retries the same part; a group
that became a supergroup has its subscription and queued digests moved to the new chat id
(`bot/services/chat_moves.py`) and the same part is sent there; a chat that is gone (403
blocked/kicked/deactivated, 400 chat not found) is `blocked` at once and its subscription
deactivated; any other rejection (400) fails at once. Network trouble (timeouts, 5xx) says
nothing about the message, so it is retried with capped exponential backoff until
RETRY_DEADLINE after the run was made, however many tries that takes; only then is the row
`failed`. A failed digest gives its period back to the subscription (`digest_runs.py`).

A database error while handling one message is logged and leaves that row claimed, to be
resumed once its lease runs out; the other sends in flight finish and are recorded.
See `bot/services/outbox.py` for the claim/lease protocol and the at-least-once window.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import utcnow
from bot.services import outbox
from bot.services.chat_moves import move_chat
from bot.services.outbox import BLOCKED, FAILED, ClaimedMessage
from bot.services.send_limits import RateLimiter

log = logging.getLogger(__name__)
MAX_RETRY_WAIT = 60.0
RETRY_DEADLINE = timedelta(hours=24)
MIN_BACKOFF = 1.0  # seconds: a retry is never ready again within the pass that deferred it
MAX_BACKOFF = 300.0  # seconds: an outage that ends is noticed within five minutes
RECORD_RETRY_WAIT = 0.5


class DeliveryError(Exception):
    """A send did not go through; the subclass says what to do next."""


class RetryLater(DeliveryError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"429 retry after {seconds}s")
        self.seconds = seconds


class ChatUnavailable(DeliveryError):
    """Blocked, kicked, deactivated or unknown chat: never retry."""


class ChatMoved(DeliveryError):
    """The group became a supergroup with a new chat id: send there instead."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class TemporaryFailure(DeliveryError):
    """Network trouble: retry with backoff."""


class Rejected(DeliveryError):
    """Telegram refused this message (e.g. bad markup): retrying would not help."""


class Transport(Protocol):
    async def send(self, chat_id: int, text: str, buttons: tuple[tuple[str, str], ...]) -> int:
        """Send one message; return its Telegram message id or raise a DeliveryError."""


@dataclass
class DrainStats:
    messages: int = 0  # Telegram messages sent (a digest may have several parts)
    sent: int = 0  # outbox rows completed
    blocked: int = 0
    failed: int = 0
    deferred: int = 0
    too_many_requests: int = 0


class OutboxSender:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        transport: Transport,
        limiter: RateLimiter,
        *,
        max_attempts: int = 5,
        retry_seconds: float = 2.0,
        max_backoff: float = MAX_BACKOFF,
        retry_deadline: timedelta = RETRY_DEADLINE,
        lease_seconds: float = 300.0,
        max_429_retries: int = 20,
        batch: int = 50,
        concurrency: int | None = None,
        now: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        worker: str | None = None,
    ) -> None:
        self.sessionmaker, self.transport, self.limiter = sessionmaker, transport, limiter
        # max_attempts bounds unexpected errors (bugs); network errors have the deadline.
        self.max_attempts, self.retry_seconds = max_attempts, retry_seconds
        self.max_backoff, self.retry_deadline = max_backoff, retry_deadline
        self.lease = timedelta(seconds=lease_seconds)
        self.max_429_retries, self.batch = max_429_retries, batch
        # Enough sends in flight to fill the rate even when each takes a while to answer.
        self.concurrency = concurrency or max(4, int(limiter.limits.per_second * 2))
        self.now, self.sleep = now, sleep
        self.worker = worker or f"sender-{uuid.uuid4().hex[:8]}"
        self.stats = DrainStats()

    async def drain(self, run_id: int | None = None, *, wait_for_retries: bool = True,
                    max_wait: float | None = None) -> DrainStats:
        """Send everything ready (of one run, or all); with `wait_for_retries`, also wait
        for rows deferred by a network error, for up to `max_wait` seconds if given (the
        rows stay queued for a later drain). Returns what this call did."""
        self.stats = DrainStats()
        queue: asyncio.Queue[ClaimedMessage | None] = asyncio.Queue(maxsize=self.batch)
        failure: Exception | None = None
        async with asyncio.TaskGroup() as group:
            workers = [group.create_task(self._work(queue)) for _ in range(self.concurrency)]
            try:
                await self._feed(queue, run_id, wait_for_retries, max_wait)
            except Exception as exc:  # e.g. claiming failed: let the sends in flight finish
                failure = exc         # and be recorded before giving up
            for _ in workers:  # (a crash or cancellation cancels them: rows stay claimed)
                await queue.put(None)
        if failure is not None:
            raise failure
        return self.stats

    async def _feed(self, queue: asyncio.Queue, run_id: int | None,  # type: ignore[type-arg]
                    wait_for_retries: bool, max_wait: float | None) -> None:
        started, limit = self.now(), float("inf") if max_wait is None else max_wait
        while True:
            async with self.sessionmaker() as session:
                # Without waiting for retries, only rows ready when the pass began: rows it
                # defers would otherwise come back within the pass, for as long as an outage lasts.
                claimed = await outbox.claim_batch(session, self.now(), self.batch, self.worker, run_id,
                                                   ready_at=None if wait_for_retries else started)
                await session.commit()  # the claim is durable before any send
            for message in claimed:
                await queue.put(message)
            if claimed:
                continue
            await queue.join()  # rows in flight may still be deferred for a retry
            async with self.sessionmaker() as session:
                waiting, earliest = await outbox.pending_rows(session, run_id)
            waited = (self.now() - started).total_seconds()
            if not waiting or not wait_for_retries or waited >= limit:
                return
            if earliest is not None:
                delay = (earliest - self.now()).total_seconds()
                await self.sleep(min(max(delay, 0.0), MAX_RETRY_WAIT))

    async def _work(self, queue: asyncio.Queue) -> None:  # type: ignore[type-arg]
        while (message := await queue.get()) is not None:
            try:
                await self._deliver(message)
            except Exception:  # the database: this row waits for its lease, the rest go on
                log.exception("digest: row %s left for a later pass", message.id)
            finally:
                queue.task_done()
        queue.task_done()

    async def _deliver(self, message: ClaimedMessage) -> None:
        part, throttled, moved = message.parts_sent, 0, False
        while part < len(message.parts):
            last = part == len(message.parts) - 1
            await self.limiter.acquire(message.chat_id, message.is_group)
            if not await self._keep_claim(message):
                return
            try:
                message_id = await self.transport.send(
                    message.chat_id, message.parts[part], message.buttons if last else ())
            except RetryLater as exc:
                self.stats.too_many_requests += 1
                self.limiter.pause(exc.seconds)
                throttled += 1
                if throttled > self.max_429_retries:
                    await self._defer(message, exc.seconds, str(exc), attempt=False)
                    return
                continue
            except ChatMoved as exc:
                if moved or exc.new_chat_id == message.chat_id:  # moved again, or nowhere
                    await self._settle(message, BLOCKED, str(exc))
                    return
                try:
                    still_ours = await self._move(message, exc.new_chat_id)
                except Exception as error:  # the database, not Telegram: try again later
                    log.exception("digest: could not move chat %s", message.chat_id)
                    await self._retry_or_fail(message, error, network=True)
                    return
                if not still_ours:
                    self.stats.failed += 1  # dropped: the new chat has a digest of its own
                    return
                message, moved = replace(message, chat_id=exc.new_chat_id), True
                continue
            except ChatUnavailable as exc:
                await self._settle(message, BLOCKED, str(exc))
                return
            except Rejected as exc:
                await self._settle(message, FAILED, str(exc))
                return
            except Exception as exc:  # network errors, and anything unexpected
                network = isinstance(exc, TemporaryFailure)
                if not network:
                    log.exception("digest: unexpected error sending to %s", message.chat_id)
                await self._retry_or_fail(message, exc, network=network)
                return
            self.stats.messages += 1
            if not await asyncio.shield(self._record(message, part, message_id, last)):
                log.warning("digest: row %s was claimed by another sender", message.id)
                return
            message = replace(message, claimed_at=self.now())
            part += 1
        self.stats.sent += 1

    async def _record(self, message: ClaimedMessage, part: int, message_id: int,
                      last: bool) -> bool:
        """Record a part Telegram accepted. Shielded by the caller, so that a cancelled
        drain still records it, and tried twice: a part sent but not recorded is sent again."""
        try:
            return await self._record_once(message.id, part, message_id, last)
        except Exception:
            log.warning("digest: recording row %s failed; once more", message.id, exc_info=True)
            await self.sleep(RECORD_RETRY_WAIT)
        return await self._record_once(message.id, part, message_id, last)

    async def _record_once(self, row_id: int, part: int, message_id: int, last: bool) -> bool:
        async with self.sessionmaker() as session:
            ours = await outbox.record_part(session, row_id, part, message_id, self.now(),
                                            last, worker=self.worker)
            await session.commit()
        return ours

    async def _keep_claim(self, message: ClaimedMessage) -> bool:
        """Before a send, make sure a claim that has waited a while (a long 429 pause) is
        still this sender's, and renew it; False means another sender has the row."""
        if self.now() - message.claimed_at < self.lease / 2:
            return True
        async with self.sessionmaker() as session:
            ours = await outbox.renew(session, message.id, self.worker, self.now())
            await session.commit()
        if not ours:
            log.warning("digest: row %s was claimed by another sender", message.id)
        return ours

    async def _move(self, message: ClaimedMessage, new_chat_id: int) -> bool:
        """Readdress the chat's subscription and queued digests (chat_moves.py, which another
        sender or the upgrade's service message may have done already); True when this row,
        still claimed here, now goes to the new chat, False when it was dropped."""
        async with self.sessionmaker() as session:
            await move_chat(session, message.chat_id, new_chat_id)
            chat_id = await outbox.claimed_chat(session, message.id, self.worker)
            await session.commit()
        log.info("digest: chat %s moved to %s", message.chat_id, new_chat_id)
        return chat_id == new_chat_id

    async def _retry_or_fail(self, message: ClaimedMessage, exc: Exception, *,
                             network: bool) -> None:
        """Network trouble is retried until the deadline; an unexpected error also ends
        after max_attempts."""
        error, now = f"{type(exc).__name__}: {exc}", self.now()
        deadline = message.created_at + self.retry_deadline
        if now >= deadline or (not network and message.attempts + 1 >= self.max_attempts):
            await self._settle(message, FAILED, error, give_back=network)
            return
        backoff = min(max(self.retry_seconds * 2 ** min(message.attempts, 30), MIN_BACKOFF), self.max_backoff)
        retry_at = min(now + timedelta(seconds=backoff), deadline)  # a last try at the deadline
        await self._defer(message, (retry_at - now).total_seconds(), error, attempt=True)

    async def _defer(self, message: ClaimedMessage, seconds: float, error: str,
                     *, attempt: bool) -> None:
        async with self.sessionmaker() as session:
            ours = await outbox.defer(session, message.id, self.now() + timedelta(seconds=seconds),
                                      error, attempt=attempt, worker=self.worker)
            await session.commit()
        if ours:
            self.stats.deferred += 1

    async def _settle(self, message: ClaimedMessage, status: str, error: str, *,
                      give_back: bool = False) -> None:
        async with self.sessionmaker() as session:
            ours = await outbox.settle(session, message.id, status, error, worker=self.worker,
                                       give_back=give_back)
            await session.commit()
        if not ours:
            return
        if status == BLOCKED:
            self.stats.blocked += 1
        else:
            self.stats.failed += 1
