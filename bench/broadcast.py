"""Broadcast benchmark: drain an outbox of N subscribers against a fake Bot API that enforces
a configured rate, through the real sender, Telegram adapter and database.

    python -m bench.broadcast [--subscribers 2500,5000,10000] [--rate 400] [--latency 0.01]

The fake API allows at most `rate` messages in any one-second window (and one per second per
chat) and answers anything beyond with 429 retry_after=1; each call takes `latency` seconds.
The sender is configured with the same rate. For every size it prints delivered messages
per second as a fraction of the limit, the 429s the bot provoked, the Python heap peak during
the drain (tracemalloc) and the process's peak RSS. Telegram's real limit is ~30/s; the
rate is scaled up so that 10,000 subscribers take seconds rather than minutes.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import tempfile
import time
import tracemalloc
from collections import deque
from pathlib import Path

from sqlalchemy import insert
from telegram import Bot
from telegram.request import BaseRequest, RequestData

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.handlers.digest_transport import TelegramTransport
from bot.services.outbox_sender import OutboxSender
from bot.services.send_limits import RateLimiter, SendLimits

TOKEN = "123456789:" + "B" * 35
TEXT = "📬 <b>S3 Cluster Assistant — what is new</b>\n" + "• A new answer about clusters\n" * 40


class RateLimitedBotAPI(BaseRequest):
    """A Bot API that counts like Telegram's flood control, in process."""

    def __init__(self, rate: float, latency: float) -> None:
        self.rate, self.latency = rate, latency
        self.window: deque[float] = deque()
        self.last_per_chat: dict[int, float] = {}
        self.accepted = self.refused = 0
        self.first = self.last = 0.0
        self.next_id = 1

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _reply(self, status: int, body: dict) -> tuple[int, bytes]:  # type: ignore[type-arg]
        return status, json.dumps(body).encode()

    async def do_request(self, url, method, request_data: RequestData | None = None,  # type: ignore[no-untyped-def]
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        if api_method == "getMe":
            return self._reply(200, {"ok": True, "result": {
                "id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}})
        params = request_data.parameters if request_data else {}
        chat_id = int(params["chat_id"])
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        too_fast = len(self.window) >= self.rate or now - self.last_per_chat.get(chat_id, -9) < 1.0
        await asyncio.sleep(self.latency)
        if too_fast:
            self.refused += 1
            return self._reply(429, {"ok": False, "error_code": 429,
                                     "description": "Too Many Requests: retry after 1",
                                     "parameters": {"retry_after": 1}})
        self.window.append(now)
        self.last_per_chat[chat_id] = now
        self.accepted += 1
        self.first = self.first or now
        self.last = now
        self.next_id += 1
        return self._reply(200, {"ok": True, "result": {
            "message_id": self.next_id, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"}, "text": "…"}})


async def _fill(sessionmaker, subscribers: int) -> None:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        run = DigestRun(kind="digest", trigger="now", skipped=0)
        session.add(run)
        await session.flush()
        for start in range(0, subscribers, 2000):
            chats = range(10_000_000 + start, 10_000_000 + min(start + 2000, subscribers))
            await session.execute(insert(DigestSubscription), [
                {"chat_id": c, "chat_type": "private", "frequency": "weekly", "topics": [],
                 "language": "en", "timezone": "Europe/Rome", "weekday": 0, "hour": 9,
                 "minute": 0, "send_empty": False, "active": True, "sent_funfacts": []}
                for c in chats])
            await session.execute(insert(DigestOutbox), [
                {"run_id": run.id, "chat_id": c, "is_group": False, "parts": [TEXT],
                 "buttons": [["🔕 Unsubscribe", "dgu:1"]], "status": "pending", "parts_sent": 0,
                 "message_ids": [], "attempts": 0} for c in chats])
        await session.commit()


async def one_run(subscribers: int, rate: float, latency: float) -> dict:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        sessionmaker = create_sessionmaker(engine)
        await upgrade(engine)
        await _fill(sessionmaker, subscribers)
        api = RateLimitedBotAPI(rate, latency)
        bot = Bot(TOKEN, base_url="http://fake.invalid/bot", request=api)
        async with bot:
            sender = OutboxSender(sessionmaker, TelegramTransport(bot),
                                  RateLimiter(SendLimits(per_second=rate)))
            tracemalloc.start()
            started = time.monotonic()
            stats = await sender.drain()
            elapsed = time.monotonic() - started
            _, heap_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        await engine.dispose()
    sending_span = max(api.last - api.first, 1e-9)
    delivered_rate = (api.accepted - 1) / sending_span
    return {
        "subscribers": subscribers, "delivered": api.accepted, "sent_rows": stats.sent,
        "seconds": elapsed, "rate": delivered_rate, "fraction": delivered_rate / rate,
        "429s": api.refused, "heap_mb": heap_peak / 1e6,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", default="2500,5000,10000",
                        help="comma-separated sizes, one run each")
    parser.add_argument("--rate", type=float, default=300.0, help="messages/s the fake API allows")
    parser.add_argument("--latency", type=float, default=0.01, help="seconds per API call")
    args = parser.parse_args()
    print(f"limit {args.rate:.0f} msg/s overall, 1/s per chat; API latency {args.latency * 1000:.0f} ms")
    print(f"{'subscribers':>11} {'delivered':>9} {'seconds':>8} {'msg/s':>8} {'of limit':>8} "
          f"{'429s':>5} {'heap MB':>8} {'RSS MB':>7}")
    for size in (int(s) for s in args.subscribers.split(",")):
        r = asyncio.run(one_run(size, args.rate, args.latency))
        print(f"{r['subscribers']:>11} {r['delivered']:>9} {r['seconds']:>8.1f} {r['rate']:>8.1f} "
              f"{r['fraction']:>8.3f} {r['429s']:>5} {r['heap_mb']:>8.1f} {r['rss_mb']:>7.0f}")


if __name__ == "__main__":
    main()
