"""Settings buttons answer their press without holding the database's write lock, and a
press answered too late (the bot was down or busy) still does its work."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.digest import DigestSubscription

TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


@pytest.mark.parametrize("data", ["sub:1:freq", "sub:1:freq:m", "sub:1:open", "sub:1:show",
                                  "sub:1:tz:99", "sub:999:freq", "dgu:1"])
async def test_no_write_lock_is_held_while_telegram_answers(probed, data):
    harness, probe = probed
    await harness.ask("/subscribe")  # subscription 1
    probe.locked.clear()
    calls = await harness.press(data)
    assert "answerCallbackQuery" in [c.method for c in calls]
    assert probe.locked == []


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
