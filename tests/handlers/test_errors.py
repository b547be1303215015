"""End-to-end: failures inside handlers and on Telegram's side never crash the bot."""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.db.models import Question


async def test_unexpected_error_is_logged_and_user_is_told(harness, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(harness.runtime.index, "search", explode)
    with caplog.at_level(logging.ERROR):
        reply = await harness.ask("what is the ERDF")
    assert "something went wrong" in reply.text
    assert "index exploded" in caplog.text


async def test_blocked_user_is_handled_quietly(harness):
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    calls = await harness.say("what is the ERDF")
    assert [c.method for c in calls] == ["sendMessage"]  # no retry, no error message
    async with harness.runtime.sessionmaker() as s:  # the question is kept all the same
        assert (await s.scalar(select(Question))).entry_id == "erdf"


async def test_old_message_that_cannot_be_edited_gets_a_new_message(harness):
    harness.api.fail_next("editMessageText", 400, "Bad Request: message to edit not found")
    calls = await harness.press("tags:0")
    assert [c.method for c in calls if c.method != "answerCallbackQuery"] == [
        "editMessageText", "sendMessage"]


async def test_unchanged_edit_is_ignored(harness):
    harness.api.fail_next("editMessageText", 400, "Bad Request: message is not modified")
    calls = await harness.press("tags:0")
    assert [c.method for c in calls if c.method != "answerCallbackQuery"] == ["editMessageText"]
