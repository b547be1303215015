"""Updates no client should send but any client can: forged button data, lone surrogates,
answers that come too late. Each gets a quiet or polite answer, never an error."""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from bot.db.models import AnswerFeedback, Question, User
from tests import factories


def _errors(caplog) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_forged_question_id_too_large_for_the_database_is_a_stale_button(harness, caplog):
    huge = "9" * 25
    for data in (f"hlp:{huge}:1", f"dym:{huge}:edp"):
        calls = await harness.press(data)
        assert "no longer active" in calls[-1].params["text"]
    assert _errors(caplog) == []


async def test_a_button_press_without_data_is_answered_as_stale(harness, caplog):
    for data in ("", None):
        update = factories.callback("x")
        if data is None:
            del update["callback_query"]["data"]
        else:
            update["callback_query"]["data"] = data
        calls = await harness.feed(update)
        assert [c.method for c in calls] == ["answerCallbackQuery"]
        assert "no longer active" in calls[-1].params["text"]
    assert _errors(caplog) == []


async def test_a_lone_surrogate_in_a_question_is_stored_as_a_replacement_character(harness, caplog):
    calls = await harness.say("what is the erdf \ud800")
    assert calls[-1].method == "sendMessage"
    assert "European Regional Development Fund" in calls[-1].params["text"]
    async with harness.runtime.sessionmaker() as s:
        (question,) = (await s.scalars(select(Question))).all()
    assert question.text == "what is the erdf \ufffd" and question.entry_id == "erdf"
    assert _errors(caplog) == []


async def test_an_inline_answer_that_comes_too_late_is_not_an_error(harness, caplog):
    harness.api.fail_next("answerInlineQuery", 400,
                          "Bad Request: query is too old and response timeout expired or query id is invalid")
    with caplog.at_level(logging.INFO):
        await harness.feed(factories.inline_query("what is s3 \ud800"))
    assert _errors(caplog) == []
    assert any("answered too late" in r.getMessage() for r in caplog.records)


async def test_a_vote_answered_too_late_is_still_stored(harness, caplog):
    await harness.ask("what is the ERDF")
    async with harness.runtime.sessionmaker() as s:
        (question,) = (await s.scalars(select(Question))).all()
    harness.api.fail_next("answerCallbackQuery", 400, "Bad Request: query is too old and response timeout "
                          "expired or query id is invalid")
    await harness.press(f"hlp:{question.id}:1")
    assert _errors(caplog) == []
    async with harness.runtime.sessionmaker() as s:
        votes = (await s.scalars(select(AnswerFeedback))).all()
    assert [(v.question_id, v.helpful) for v in votes] == [(question.id, True)]


async def test_messages_of_a_business_accounts_customers_are_left_alone(harness):
    customer = {"id": 999, "type": "private", "first_name": "Client"}
    for n, text in enumerate(("what is the erdf", "/mydata")):
        calls = await harness.feed({"update_id": 7000 + n, "business_message": {
            "message_id": 40 + n, "date": int(time.time()), "chat": customer, "text": text,
            "from": factories.user(999), "business_connection_id": "bc1"}})
        assert calls == []
    async with harness.runtime.sessionmaker() as s:
        assert (await s.scalars(select(User.id))).all() == []
        assert (await s.scalars(select(Question))).all() == []
