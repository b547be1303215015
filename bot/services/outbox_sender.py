"""Drain the digest outbox through a transport, within Telegram's limits.

The transport (the Telegram adapter in `bot/handlers/digest_transport.py`, or a fake) sends
one message and translates failures into the errors below, so this module stays free of
Telegram imports and is shared by the bot, the CLI and the benchmark.

Outcomes: a 429 pauses every send for its retry_after and retries the same part; a group
that became a supergroup has its subscription and queued digests moved to the new chat id
(`bot/services/chat_moves.py`) and the same part is sent there; a chat that is gone (403
blocked/kicked/deactivated, 400 chat not found) is `blocked` at once and its subscription
deactivated; a network error is retried later with exponential backoff
and, after DIGEST_MAX_ATTEMPTS, recorded as `failed`; any other rejection fails at once.
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
        max_429_retries: int = 20,
        batch: int = 50,
        concurrency: int | None = None,
        now: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        worker: str | None = None,
    ) -> None:
        self.sessionmaker, self.transport, self.limiter = sessionmaker, transport, limiter
        self.max_attempts, self.retry_seconds = max_attempts, retry_seconds
        self.max_429_retries, self.batch = max_429_retries, batch
        # Enough sends in flight to fill the rate even when each takes a while to answer.
        self.concurrency = concurrency or max(4, int(limiter.limits.per_second * 2))
        self.now, self.sleep = now, sleep
        self.worker = worker or f"sender-{uuid.uuid4().hex[:8]}"
        self.stats = DrainStats()

    async def drain(self, run_id: int | None = None, *, wait_for_retries: bool = True) -> DrainStats:
        """Send everything ready (of one run, or all); with `wait_for_retries`, also wait
        for rows deferred by a network error. Returns what this call did."""
        self.stats = DrainStats()
        queue: asyncio.Queue[ClaimedMessage | None] = asyncio.Queue(maxsize=self.batch)
        async with asyncio.TaskGroup() as group:
            workers = [group.create_task(self._work(queue)) for _ in range(self.concurrency)]
            try:
                await self._feed(queue, run_id, wait_for_retries)
            except BaseException:
                for task in workers:  # claimed rows stay `sending` until released
                    task.cancel()
                raise
            for _ in workers:
                await queue.put(None)
        return self.stats

    async def _feed(self, queue: asyncio.Queue, run_id: int | None,  # type: ignore[type-arg]
                    wait_for_retries: bool) -> None:
        while True:
            async with self.sessionmaker() as session:
                claimed = await outbox.claim_batch(session, self.now(), self.batch,
                                                   self.worker, run_id)
                await session.commit()  # the claim is durable before any send
            for message in claimed:
                await queue.put(message)
            if claimed:
                continue
            await queue.join()  # rows in flight may still be deferred for a retry
            async with self.sessionmaker() as session:
                waiting, earliest = await outbox.pending_rows(session, run_id)
            if not waiting or not wait_for_retries:
                return
            if earliest is not None:
                delay = (earliest - self.now()).total_seconds()
                await self.sleep(min(max(delay, 0.0), MAX_RETRY_WAIT))

    async def _work(self, queue: asyncio.Queue) -> None:  # type: ignore[type-arg]
        while (message := await queue.get()) is not None:
            try:
                await self._deliver(message)
            finally:
                queue.task_done()
        queue.task_done()

    async def _deliver(self, message: ClaimedMessage) -> None:
        part, throttled, moved = message.parts_sent, 0, False
        while part < len(message.parts):
            last = part == len(message.parts) - 1
            await self.limiter.acquire(message.chat_id, message.is_group)
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
                    await self._retry_or_fail(message, error)
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
                if not isinstance(exc, TemporaryFailure):
                    log.exception("digest: unexpected error sending to %s", message.chat_id)
                await self._retry_or_fail(message, exc)
                return
            async with self.sessionmaker() as session:
                await outbox.record_part(session, message.id, part, message_id, self.now(), last)
                await session.commit()
            self.stats.messages += 1
            part += 1
        self.stats.sent += 1

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

    async def _retry_or_fail(self, message: ClaimedMessage, exc: Exception) -> None:
        if message.attempts + 1 >= self.max_attempts:
            await self._settle(message, FAILED, f"{type(exc).__name__}: {exc}")
            return
        backoff = self.retry_seconds * 2 ** message.attempts
        await self._defer(message, backoff, f"{type(exc).__name__}: {exc}", attempt=True)

    async def _defer(self, message: ClaimedMessage, seconds: float, error: str,
                     *, attempt: bool) -> None:
        self.stats.deferred += 1
        async with self.sessionmaker() as session:
            await outbox.defer(session, message.id, self.now() + timedelta(seconds=seconds),
                               error, attempt=attempt)
            await session.commit()

    async def _settle(self, message: ClaimedMessage, status: str, error: str) -> None:
        if status == BLOCKED:
            self.stats.blocked += 1
        else:
            self.stats.failed += 1
        async with self.sessionmaker() as session:
            await outbox.settle(session, message.id, status, error)
            await session.commit()
