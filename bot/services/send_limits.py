"""Pacing for bulk sends: Telegram's flood limits, kept by the sender itself.

Every send first reserves a slot for its chat (1 per second in a private chat, 20 per minute
in a group or channel, i.e. one every 3 s) and then a slot in the global stream (about 30 per
second). Slots are spaced evenly instead of sent in bursts, so the bot stays under the limit
without provoking 429s; a 429 pauses the whole stream for its `retry_after`.

The clock and sleep are injectable so that tests and the benchmark can drive them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SendLimits:
    per_second: float = 30.0
    chat_interval: float = 1.0  # seconds between two messages to one private chat
    group_per_minute: float = 20.0
    # Pace a little under the limit: the moment a request reaches Telegram jitters by a few
    # milliseconds, and an exactly-at-the-limit stream would then trip a 429 now and then.
    headroom: float = 0.97

    @property
    def group_interval(self) -> float:
        return 60.0 / self.group_per_minute


class RateLimiter:
    def __init__(
        self,
        limits: SendLimits,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.limits = limits
        self.clock, self.sleep = clock, sleep
        self._next_global = 0.0
        self._next_chat: dict[int, float] = {}
        self._recent: deque[float] = deque()  # when the last sends actually left
        self._paused_until = 0.0
        self.paused_seconds = 0.0

    def _reserve_chat(self, chat_id: int, is_group: bool, now: float) -> float:
        interval = self.limits.group_interval if is_group else self.limits.chat_interval
        slot = max(now, self._next_chat.get(chat_id, 0.0))
        self._next_chat[chat_id] = slot + interval
        return slot

    def _reserve_global(self, earliest: float) -> float:
        slot = max(earliest, self._next_global)
        self._next_global = slot + 1.0 / (self.limits.per_second * self.limits.headroom)
        return slot

    async def acquire(self, chat_id: int, is_group: bool) -> None:
        """Wait until one more message to `chat_id` keeps within every limit."""
        now = self.clock()
        chat_slot = self._reserve_chat(chat_id, is_group, now)
        if chat_slot > now:  # wait for the chat first, so no global slot is wasted meanwhile
            await self.sleep(chat_slot - now)
            now = self.clock()
        slot = self._reserve_global(now)
        if slot > now:
            await self.sleep(slot - now)
        await self._within_window()
        if len(self._next_chat) > 10_000:
            self._forget_idle_chats(self.clock())

    async def _within_window(self) -> None:
        """Never more than the limit in any one-second window of actual send times.

        Even slots are not enough on their own: when the event loop stalls, several senders
        whose slots have passed wake together and would leave in a burst.
        """
        cap = max(1, int(self.limits.per_second * self.limits.headroom))
        while True:
            now = self.clock()
            if now < self._paused_until:  # a 429 arrived while this sender was waiting
                await self.sleep(max(self._paused_until - now, 0.001))
                continue
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if len(self._recent) < cap:
                self._recent.append(now)
                return
            await self.sleep(max(self._recent[0] + 1.0 - now, 0.001))

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
        self._next_global = max(self._next_global, self._paused_until)
        self.paused_seconds += seconds

    def _forget_idle_chats(self, now: float) -> None:
        """Keep memory flat over a long broadcast: past slots constrain nothing."""
        self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
