"""Survey buttons: a press answered too late still moves the survey on, and no write lock is
held while the bot waits for Telegram."""

from __future__ import annotations

from tests.handlers.feedback_support import (
    TOO_OLD,
    answer,
    data,
    drafts,
    last,
    to_question_1,
    to_question_4,
)

WENT_WRONG = "something went wrong"


def _too_old(harness) -> None:  # type: ignore[no-untyped-def]
    harness.api.fail_next("answerCallbackQuery", 400, TOO_OLD)


async def test_answer_pressed_too_late_still_shows_the_next_question(harness):
    step = await to_question_1(harness)
    _too_old(harness)
    calls = harness.messages(await harness.press(answer(step, "fq:", "4")))
    assert any("Question 2 of 6" in c.text for c in calls)
    assert not any(WENT_WRONG in c.text for c in calls)
    (draft,) = await drafts(harness)
    assert (draft.position, draft.answers) == (1, {"overall": 4})


async def test_every_kind_of_late_press_finishes_its_work(harness):
    await harness.ask("/feedback")
    _too_old(harness)
    calls = harness.messages(await harness.press("fbs:coaching"))  # service picked late
    assert "company's name" in calls[-1].text
    _too_old(harness)
    paused = last(harness, await harness.press(data(calls[-1], "fp:")))
    assert "Continue any time" in paused.text
    await harness.ask("/cancel")

    await to_question_4(harness)
    old = last(harness, await harness.say("10"))  # question 5, soon an earlier step
    step = last(harness, await harness.press(answer(old, "fq:", "yes")))
    assert "Question 6 of 6" in step.text
    summary = last(harness, await harness.say("Fine"))
    _too_old(harness)
    pick = last(harness, await harness.press(answer(summary, "fs:", "edit")))
    assert "Which answer" in pick.text
    summary = last(harness, await harness.press(pick.buttons[-1][1]))  # ‹ Back, to the summary
    _too_old(harness)
    thanks = last(harness, await harness.press(data(summary, "fs:")))
    assert "Thank you!" in thanks.text
    _too_old(harness)
    calls = await harness.press(answer(old, "fq:", "no"))  # an old button, answered late
    assert harness.messages(calls) == []  # nothing to do, and no error message either


async def test_no_write_lock_is_held_while_telegram_answers(probed):
    harness, request = probed
    await harness.ask("/feedback")
    await harness.press("fbs:coaching")
    await harness.press("fbs:coaching")  # a double tap: resumed
    await harness.press("fbs:matching")  # another service: asked first
    await harness.press("fbc")
    await harness.press("fq:999:0:4")  # a stale button
    await harness.press("fbs:retired")  # a retired service
    await harness.ask("/cancel")
    await to_question_4(harness)
    old = last(harness, await harness.say("10"))
    step = last(harness, await harness.press(answer(old, "fq:", "yes")))
    assert "Question 6 of 6" in step.text
    await harness.press(answer(old, "fq:", "no"))  # an old button of an earlier step
    summary = last(harness, await harness.say("Fine"))
    await harness.press("fs:999:submit")
    pick = last(harness, await harness.press(answer(summary, "fs:", "edit")))
    summary = last(harness, await harness.press(pick.buttons[-1][1]))
    await harness.press(data(summary, "fs:"))
    assert request.probed.count("answerCallbackQuery") >= 15
    assert request.locked == []
