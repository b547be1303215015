"""An open survey is never thrown away by picking a service again: it is resumed, or the user
is asked which survey to keep."""

from __future__ import annotations

from bot.db.feedback import FeedbackResponse
from tests import factories
from tests.handlers.feedback_support import answer, data, drafts, last, to_question_1

INTRO = "What we store"  # the first intro of the coaching survey


async def _paused_at_question_2(harness):  # type: ignore[no-untyped-def]
    step = await to_question_1(harness)
    step = last(harness, await harness.press(answer(step, "fq:", "4")))
    assert "Question 2 of 6" in step.text
    await harness.press(data(step, "fp:"))  # "Later"
    (draft,) = await drafts(harness)
    assert draft.status == "paused"
    return draft


async def test_invitation_link_again_resumes_the_paused_survey(harness):
    before = await _paused_at_question_2(harness)
    calls = await harness.say("/start fb_coaching")  # the invitation link, tapped again
    (sent,) = harness.messages(calls)
    assert "already have a survey on <b>Internationalisation coaching</b>" in sent.text
    assert "Question 2 of 6" in sent.text and INTRO not in sent.text
    (draft,) = await drafts(harness)
    assert (draft.id, draft.status, draft.stage, draft.position) == (before.id, "draft",
                                                                     "questions", 1)
    assert draft.answers == {"overall": 4}
    # the survey is active again: typed text answers it instead of asking the knowledge base
    reply = harness.messages(await harness.say("above expectations"))
    assert "answer with the buttons" in reply[0].text and "Question 2 of 6" in reply[-1].text


async def test_double_tap_on_a_service_sends_one_intro_and_keeps_one_draft(harness):
    await harness.ask("/feedback")
    first = harness.messages(await harness.press("fbs:coaching"))
    second = harness.messages(await harness.press("fbs:coaching"))
    assert sum(INTRO in c.text for c in first + second) == 1
    assert len(second) == 1 and "company's name" in second[0].text
    assert [(d.status, d.stage) for d in await drafts(harness)] == [("draft", "org")]


async def test_button_of_another_service_asks_before_dropping_the_open_survey(harness):
    before = await _paused_at_question_2(harness)
    question = last(harness, await harness.press("fbs:matching"))  # an old /feedback menu
    assert "unfinished survey on <b>Internationalisation coaching</b>" in question.text
    assert "<b>Cross-sector matchmaking</b>" in question.text
    assert [d for _, d in question.buttons] == ["fbc", f"fbn:{before.id}:matching"]
    (draft,) = await drafts(harness)
    assert (draft.status, draft.answers) == ("paused", {"overall": 4})  # untouched

    resumed = last(harness, await harness.press("fbc"))  # continue the open survey
    assert "Question 2 of 6" in resumed.text
    (draft,) = await drafts(harness)
    assert (draft.status, draft.position, draft.answers) == ("draft", 1, {"overall": 4})

    question = last(harness, await harness.press("fbs:matching"))
    calls = harness.messages(await harness.press(data(question, "fbn:")))  # start the new one
    assert "Quick anonymous check" in calls[0].text and "Question 1 of 2" in calls[-1].text
    old, new = await drafts(harness)
    assert (old.id, old.status, old.answers) == (before.id, "cancelled", {"overall": 4})
    assert (new.service_id, new.status) == ("matching", "draft")
    # the old "start the new one" button again: the survey now open is that one, resumed
    again = harness.messages(await harness.press(data(question, "fbn:")))
    assert len(again) == 1 and "already have a survey" in again[0].text
    assert len(await drafts(harness)) == 2


async def test_open_survey_is_kept_until_replacing_an_earlier_response_is_confirmed(harness):
    await harness.ask("/start")  # creates the user row
    async with harness.runtime.sessionmaker() as s:
        s.add(FeedbackResponse(user_id=factories.USER_ID, survey_id="pilot-service",
                               service_id="coaching", round=1, language="en"))
        await s.commit()
    await harness.ask("/feedback")
    step = last(harness, await harness.press("fbs:matching"))
    await harness.press(answer(step, "fq:", "5"))
    (open_draft,) = await drafts(harness)

    question = last(harness, await harness.press("fbs:coaching"))
    prompt = last(harness, await harness.press(data(question, "fbn:")))
    assert "already given feedback" in prompt.text
    assert data(prompt, "fbr:") == f"fbr:{open_draft.id}:coaching"
    await harness.press("fbk")  # keeps the earlier response: the open survey stays too
    (draft,) = await drafts(harness)
    assert (draft.status, draft.answers) == ("draft", {"_anonymous": True, "useful": 5})

    calls = harness.messages(await harness.press(data(prompt, "fbr:")))  # answer again
    assert "company's name" in calls[-1].text
    old, new = await drafts(harness)
    assert old.status == "cancelled" and old.user_id is None and old.answers == {}
    assert (new.service_id, new.status, new.stage) == ("coaching", "draft", "org")


async def test_deep_link_with_a_survey_of_another_service_open_asks_too(harness):
    await harness.ask("/feedback")
    step = last(harness, await harness.press("fbs:matching"))
    await harness.press(answer(step, "fq:", "2"))
    (sent,) = harness.messages(await harness.say("/start fb_coaching"))
    assert "unfinished survey on <b>Cross-sector matchmaking</b>" in sent.text
    (draft,) = await drafts(harness)
    assert (draft.status, draft.answers) == ("draft", {"_anonymous": True, "useful": 2})
