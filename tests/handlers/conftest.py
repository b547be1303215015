"""Fixtures shared by the handler tests."""

from __future__ import annotations

import sqlite3

import pytest

from bot.app import build_app
from tests.conftest import Harness
from tests.fakebot import FakeBotAPI, FakeRequest

PROBED_METHODS = ("answerCallbackQuery", "sendMessage", "editMessageText")


class LockProbe(FakeRequest):
    """Before each answer, send or edit, tries to take SQLite's write lock from outside without
    waiting: `locked` lists the calls made while a transaction of the bot held it."""

    def __init__(self, api: FakeBotAPI, db_path: str) -> None:
        super().__init__(api)
        self.db_path = db_path
        self.probed: list[str] = []
        self.locked: list[str] = []

    async def do_request(self, url, method, request_data=None, **kwargs):  # type: ignore[no-untyped-def]
        name = url.rsplit("/", 1)[-1]
        if name in PROBED_METHODS:
            self.probed.append(name)
            connection = sqlite3.connect(self.db_path, timeout=0)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.rollback()
            except sqlite3.OperationalError:
                self.locked.append(name)
            finally:
                connection.close()
        return await super().do_request(url, method, request_data, **kwargs)


@pytest.fixture
async def probed(settings, runtime):  # type: ignore[no-untyped-def]
    """A harness whose Bot API calls probe the write lock, and the probe."""
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the write lock of a whole database is SQLite's")
    api = FakeBotAPI()
    request = LockProbe(api, settings.database_url.split("///", 1)[1])
    app = build_app(settings, runtime=runtime, request=request, migrate_on_start=False)
    async with app:
        yield Harness(app, api, runtime), request
