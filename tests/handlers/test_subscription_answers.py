"""Settings buttons answer their press without holding the database's write lock, and a
press answered too late (the bot was down or busy) still does its work."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.db.digest import DigestSubscription
from tests.conftest import Harness
from tests.fakebot import FakeBotAPI, FakeRequest

TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


class LockProbe(FakeRequest):
    """Before each call to Telegram, tries to take SQLite's write lock without waiting."""

    def __init__(self, api: FakeBotAPI, db_path: str) -> None:
        super().__init__(api)
        self.db_path = db_path
        self.locked_during: list[str] = []

    async def do_request(self, url, method, request_data=None, **kwargs):  # type: ignore[no-untyped-def]
        connection = sqlite3.connect(self.db_path, timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
        except sqlite3.OperationalError:
            self.locked_during.append(url.rsplit("/", 1)[-1])
        finally:
            connection.close()
        return await super().do_request(url, method, request_data, **kwargs)


@pytest.fixture
async def probed(settings, runtime):  # type: ignore[no-untyped-def]
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the write lock probed here is SQLite's")
    api = FakeBotAPI()
    request = LockProbe(api, settings.database_url.split("///", 1)[1])
    app = build_app(settings, runtime=runtime, request=request, migrate_on_start=False)
    async with app:
        yield Harness(app, api, runtime), request


@pytest.mark.parametrize("data", ["sub:1:freq", "sub:1:freq:m", "sub:1:open", "sub:1:show",
                                  "sub:1:tz:99", "sub:999:freq", "dgu:1"])
async def test_no_write_lock_is_held_while_telegram_answers(probed, data):
    harness, probe = probed
    await harness.ask("/subscribe")  # subscription 1
    probe.locked_during.clear()
    calls = await harness.press(data)
    assert "answerCallbackQuery" in [c.method for c in calls]
    assert probe.locked_during == []


async def test_a_press_answered_too_late_is_still_saved_and_shown(harness):
    await harness.ask("/subscribe")
    harness.api.fail_next("answerCallbackQuery", 400, TOO_OLD)
    calls = await harness.press("sub:1:freq:m")
    assert "monthly" in harness.messages(calls)[0].text
    async with harness.runtime.sessionmaker() as s:
        assert (await s.scalar(select(DigestSubscription))).frequency == "monthly"
    harness.api.fail_next("answerCallbackQuery", 400, TOO_OLD)
    calls = await harness.press("sub:1:top")
    assert "Which topics?" in harness.messages(calls)[0].text
