"""Helpers shared by the digest tests (this module holds no tests): a knowledge folder with
news and fun facts, a fake clock, and a fake transport that can fail or "crash"."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from bot.services.outbox_sender import ChatUnavailable, RetryLater, TemporaryFailure
from bot.services.send_limits import RateLimiter, SendLimits
from tests.conftest import FIXTURE_KNOWLEDGE

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Rome

NEWS = {
    "2026-11-20-new-call.md": "---\ntitle: A new call for clusters\ntags: [funding]\n"
                              "url: https://example.org/call\n---\nThe call opens in **December**.\n",
    "2026-11-21-edp-workshop.md": "---\ntitle: EDP workshop in Trento\ntags: [s3-basics]\n---\n"
                                  "Stakeholders met in Trento.\n",
    "2026-11-21-edp-workshop.it.md": "---\ntitle: Laboratorio EDP a Trento\n---\n"
                                     "Gli attori si sono incontrati a Trento.\n",
    "2019-03-14-old-conference.md": "---\ntitle: An old conference\ntags: [funding]\n---\nLong ago.\n",
}
FUNFACTS = """\
- id: fact-one
  text: {en: "Fact one in English.", it: "Primo fatto in italiano."}
  source: {title: "Source one", url: "https://example.org/1"}
- id: fact-two
  text: {en: "Fact two & more."}
- id: fact-three
  text: {en: "Fact three."}
"""


def make_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KNOWLEDGE, folder)
    (folder / "news").mkdir()
    for name, text in NEWS.items():
        (folder / "news" / name).write_text(text, encoding="utf-8")
    (folder / "funfacts.yaml").write_text(FUNFACTS, encoding="utf-8")
    return folder


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)


def fake_limiter(clock: FakeClock, **limits: float) -> RateLimiter:
    return RateLimiter(SendLimits(**limits), clock=clock, sleep=clock.sleep)


class SimulatedCrash(BaseException):
    """The process dies: not an Exception, so nothing on the way catches it."""


class FakeTransport:
    """Records sends; `fail[chat_id]` lists errors to raise first, `crash` what to crash on."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, tuple]] = []  # type: ignore[type-arg]
        self.fail: dict[int, list[BaseException]] = {}
        self.crash_before: set[int] = set()
        self.crash_after: set[int] = set()
        self._next_id = 500

    async def send(self, chat_id: int, text: str, buttons: tuple) -> int:  # type: ignore[type-arg]
        if chat_id in self.crash_before:
            self.crash_before.discard(chat_id)
            raise SimulatedCrash(f"before send to {chat_id}")
        queued = self.fail.get(chat_id)
        if queued:
            raise queued.pop(0)
        self.sent.append((chat_id, text, buttons))
        if chat_id in self.crash_after:
            self.crash_after.discard(chat_id)
            raise SimulatedCrash(f"after send to {chat_id}")
        self._next_id += 1
        return self._next_id

    def to(self, chat_id: int) -> list[str]:
        return [text for chat, text, _ in self.sent if chat == chat_id]


__all__ = ["ChatUnavailable", "FakeClock", "FakeTransport", "RetryLater", "SimulatedCrash",
           "TemporaryFailure", "fake_limiter", "make_knowledge"]
