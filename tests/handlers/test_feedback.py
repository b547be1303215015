"""End-to-end: the feedback survey through the fake Bot API, with the database checked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import build_app
from bot.db.feedback import FeedbackAnswer, FeedbackResponse, Organisation, SurveyDraft
from bot.db.models import utcnow
from bot.runtime import Runtime
from bot.services.feedback_responses import close_abandoned
from tests import factories
from tests.conftest import Harness
from tests.fakebot import FakeBotAPI, FakeRequest


def last(harness, calls):  # type: ignore[no-untyped-def]
    """The last message the bot sent or edited."""
    return harness.messages(calls)[-1]


def data(call, prefix: str) -> str:  # type: ignore[no-untyped-def]
    """The callback data of the first button whose data starts with `prefix`."""
    return next(d for _, d in call.buttons if d.startswith(prefix))


async def rows(harness, model):  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        return list((await s.scalars(select(model))).all())


async def test_complete_survey_with_every_question_type(harness):
    menu = await harness.ask("/feedback")
    assert [d for _, d in menu.buttons] == ["fbs:coaching", "fbs:matching"]  # not the retired one
    calls = await harness.press("fbs:coaching")
    intro, step = harness.messages(calls)
    assert "Internationalisation coaching" in intro.text and "What we store" in intro.text
    assert "company's name" in step.text

    step = last(harness, await harness.say("Acme Plastics"))
    assert "sector" in step.text
    step = last(harness, await harness.press(data(step, "fo:")))  # skip the sector
    assert "region" in step.text
    step = last(harness, await harness.say("Lombardy"))
    assert [label for label, _ in step.buttons][:4] == ["1-9 people", "10-49 people",
                                                     "50-249 people", "250+ people"]
    step = last(harness, await harness.press(step.buttons[1][1]))
    assert "Question 1 of 6" in step.text and "1 = Not useful … 5 = Very useful" in step.text

    # invalid input at a rating step: out of range, then words
    calls = await harness.say("9")
    assert "from 1 to 5" in harness.messages(calls)[0].text
    calls = await harness.say("great!")
    assert "answer with the buttons" in harness.messages(calls)[0].text
    step = last(harness, calls)
    step = last(harness, await harness.press(data(step, "fq:") .rsplit(":", 1)[0] + ":4"))
    assert "Question 2 of 6" in step.text  # choice
    # Back returns to question 1, which keeps its answer when answered again
    step = last(harness, await harness.press(data(step, "fb:")))
    assert "Question 1 of 6" in step.text
    step = last(harness, await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":4"))
    step = last(harness, await harness.press(data(step, "fq:") .rsplit(":", 1)[0] + ":above"))
    assert "Question 3 of 6" in step.text and "(optional)" in step.text  # multi
    for option in ("contacts", "project", "contacts"):
        step = last(harness, await harness.press(data(step, "fm:").rsplit(":", 1)[0] + f":{option}"))
    assert ("✓ A project idea or proposal", data(step, "fm:").rsplit(":", 1)[0] + ":project") \
        in step.buttons
    step = last(harness, await harness.press(data(step, "fd:")))
    assert "Question 4 of 6" in step.text  # NPS, answered by typing
    step = last(harness, await harness.say("10"))
    assert "Question 5 of 6" in step.text  # yes/no
    step = last(harness, await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":no"))
    assert "Question 6 of 7" in step.text and "worth paying" in step.text  # branch shown
    calls = await harness.say("x" * 501)
    assert "keep it to 500 characters (yours has 501)" in harness.messages(calls)[0].text
    step = last(harness, await harness.say("A lower price"))
    assert "Question 7 of 7" in step.text
    summary = last(harness, await harness.press(data(step, "fk:")))  # skip the comment
    assert "Your answers" in summary.text and "<b>Above expectations</b>" in summary.text
    assert "<b>A project idea or proposal</b>" in summary.text and "(skipped)" in summary.text

    # Edit one answer from the summary, then come back to it
    pick = last(harness, await harness.press(data(summary, "fs:").rsplit(":", 1)[0] + ":edit"))
    step = last(harness, await harness.press(data(pick, "fe:")))
    summary = last(harness, await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":2"))
    assert "<b>2</b>" in summary.text
    thanks = last(harness, await harness.press(data(summary, "fs:")))
    assert "Thank you!" in thanks.text and thanks.buttons == []

    (response,) = await rows(harness, FeedbackResponse)
    assert (response.user_id, response.service_id, response.round) == (factories.USER_ID, "coaching", 1)
    assert response.organisation == {"name": "Acme Plastics", "sector": None,
                                     "region": "Lombardy", "size_band": "10-49"}
    answers = {a.question_id: (a.number, a.text) for a in await rows(harness, FeedbackAnswer)}
    assert answers == {
        "overall": (2.0, None), "expectations": (None, "above"), "benefits": (None, "project"),
        "recommend": (10.0, None), "continue": (None, "no"), "why_not": (None, "A lower price"),
    }
    (draft,) = await rows(harness, SurveyDraft)
    assert draft.status == "submitted" and draft.step == 7


async def _start_coaching(harness):  # type: ignore[no-untyped-def]
    await harness.ask("/feedback")
    calls = await harness.press("fbs:coaching")
    return last(harness, calls)


async def test_second_response_replaces_the_first_after_confirmation(harness):
    await harness.ask("/start")  # creates the user row
    async with harness.runtime.sessionmaker() as s:
        s.add(Organisation(user_id=factories.USER_ID, name="Acme"))
        s.add(FeedbackResponse(user_id=factories.USER_ID, survey_id="pilot-service",
                               service_id="coaching", round=1, language="en"))
        await s.commit()
    prompt = await _start_coaching(harness)
    assert "already given feedback" in prompt.text
    kept = last(harness, await harness.press("fbk"))
    assert "stay as they are" in kept.text
    calls = await harness.press("fbr:coaching")
    review = last(harness, calls)
    assert "Acme" in review.text and "What we store" not in harness.messages(calls)[0].text
    step = last(harness, await harness.press(data(review, "fv:")))  # use saved details
    assert "Question 1 of 6" in step.text


async def test_pause_resume_after_restart_and_cancel(harness, settings):
    first = await _start_coaching(harness)
    step = last(harness, await harness.press(data(first, "fo:")))  # skip name
    paused = last(harness, await harness.press(data(step, "fp:")))
    assert "Continue any time with /feedback" in paused.text
    # while paused, text is a question for the knowledge base again
    answer = await harness.ask("what is the ERDF")
    assert answer.text.startswith("<b>The European Regional Development Fund")

    # A new process on the same database resumes at the same step
    api = FakeBotAPI()
    runtime = Runtime.create(settings)
    app = build_app(settings, runtime=runtime, request=FakeRequest(api), migrate_on_start=False)
    async with app:
        restarted = Harness(app, api, runtime)
        resumed = await restarted.ask("/feedback")
        assert "sector" in resumed.text
        # an old button from before the pause and restart is refused without confusion
        calls = await restarted.press(data(first, "fo:"))
        assert calls[-1].method == "answerCallbackQuery" and "earlier step" in calls[-1].params["text"]
        reply = await restarted.ask("/cancel")
        assert "Survey cancelled" in reply.text
        assert "nothing to cancel" in (await restarted.ask("/cancel")).text
    await runtime.engine.dispose()
    (draft,) = await rows(harness, SurveyDraft)
    assert draft.status == "cancelled"


async def test_anonymous_survey_stores_no_identity(harness):
    await harness.ask("/feedback")
    calls = await harness.press("fbs:matching")
    intro, step = harness.messages(calls)
    assert "anonymous" in intro.text and "Question 1 of 2" in step.text
    step = last(harness, await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":5"))
    summary = last(harness, await harness.say("Good"))
    last(harness, await harness.press(data(summary, "fs:")))
    (response,) = await rows(harness, FeedbackResponse)
    assert response.user_id is None and response.anonymous and response.organisation is None
    (draft,) = await rows(harness, SurveyDraft)
    assert draft.user_id is None and draft.answers == {} and draft.status == "submitted"
    assert await rows(harness, Organisation) == []


async def test_deep_link_opens_the_survey_and_unknown_links_are_polite(harness):
    calls = await harness.say("/start fb_coaching")
    assert "company's name" in last(harness, calls).text
    calls = await harness.say("/start fb_nope")  # unknown: the survey in progress goes on
    assert "company's name" in last(harness, calls).text


async def test_abandoned_drafts_are_closed_after_a_week(harness):
    await _start_coaching(harness)
    async with harness.runtime.sessionmaker() as s:
        draft = await s.scalar(select(SurveyDraft))
        draft.updated_at = utcnow() - timedelta(days=8)
        await s.commit()
        assert await close_abandoned(s) == 1
        await s.commit()
    (draft,) = await rows(harness, SurveyDraft)
    assert draft.status == "abandoned"
    assert "Which service" in (await harness.ask("/feedback")).text


async def test_typed_answer_right_after_a_restart_continues_the_survey(harness, settings):
    from bot.handlers import feedback

    first = await _start_coaching(harness)
    await harness.press(data(first, "fo:"))  # skip the name: now at "sector"
    api = FakeBotAPI()
    runtime = Runtime.create(settings)
    app = build_app(settings, runtime=runtime, request=FakeRequest(api), migrate_on_start=False)
    async with app:
        await feedback.on_startup(app, runtime)  # what post_init does on a real start
        restarted = Harness(app, api, runtime)
        step = last(restarted, await restarted.say("Food processing"))
        assert "region" in step.text
        # a user without a survey still gets knowledge answers
        other = await restarted.ask("what is the ERDF", user_id=777)
        assert other.text.startswith("<b>The European Regional Development Fund")
    await runtime.engine.dispose()
    async with harness.runtime.sessionmaker() as s:
        org = await s.get(Organisation, factories.USER_ID)
    assert org.sector == "Food processing"


async def test_invalid_input_at_every_step_is_refused_with_the_reason(harness):
    async def refused(text: str, expected: str, step_words: str):  # type: ignore[no-untyped-def]
        calls = harness.messages(await harness.say(text))
        assert expected in calls[0].text, (text, calls[0].text)
        assert step_words in calls[-1].text  # the same step is shown again
        return calls[-1]

    step = await _start_coaching(harness)
    await refused("   ", "Please type an answer, or skip", "company's name")
    step = await refused("x" * 201, "keep it to 200 characters", "company's name")
    for _ in range(3):  # skip name, sector, region
        step = last(harness, await harness.press(data(step, "fo:")))
    step = await refused("about twenty", "answer with the buttons", "How many people")
    step = last(harness, await harness.press(data(step, "fo:")))
    step = await refused("6", "from 1 to 5", "Question 1")
    step = last(harness, await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":3"))
    step = await refused("as expected", "answer with the buttons", "Question 2")
    step = last(harness, await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":met"))
    step = await refused("contacts", "answer with the buttons", "Question 3")
    step = last(harness, await harness.press(data(step, "fk:")))
    step = await refused("11", "from 0 to 10", "Question 4")
    step = await refused("-1", "from 0 to 10", "Question 4")
    step = last(harness, await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":8"))
    step = await refused("maybe", "answer with the buttons", "Question 5")
    step = last(harness, await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":yes"))
    step = await refused("y" * 1001, "keep it to 1000 characters", "Question 6 of 6")
    summary = last(harness, await harness.say("Thanks"))
    await refused("submit", "answer with the buttons", "Your answers")
    # a forged summary button does nothing
    calls = await harness.press(data(summary, "fs:").replace(":submit", ":nonsense"))
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert await rows(harness, FeedbackResponse) == []


async def test_feedback_in_a_group_points_to_a_private_chat(harness):
    group = {"id": -100123, "type": "supergroup", "title": "Cluster managers"}
    calls = await harness.say("/feedback", chat=group)
    (reply,) = harness.messages(calls)
    assert "private chat" in reply.text and "?start=feedback" in reply.text
    assert await rows(harness, SurveyDraft) == []
    menu = await harness.ask("/start feedback")
    assert "Which service" in menu.text


async def test_malformed_step_buttons_change_nothing(harness):
    await harness.ask("/feedback")
    calls = await harness.press("fbs:matching")
    step = last(harness, calls)
    draft = data(step, "fq:").split(":")[1]
    for forged in (f"fq:{draft}:0:9", f"fq:{draft}:x:1", f"fq:{draft}:99:1", f"fm:{draft}:0:zzz",
                   f"fo:{draft}:0:x", f"fb:{draft}:q", f"fk:{draft}:0", f"fe:{draft}:7"):
        calls = await harness.press(forged)
        assert [c.method for c in calls] == ["answerCallbackQuery"], forged
    async with harness.runtime.sessionmaker() as s:
        draft_row = await s.scalar(select(SurveyDraft))
    assert draft_row.answers == {"_anonymous": True} and draft_row.position == 0


async def test_edited_messages_are_ignored(harness):
    import time as _time

    step = await _start_coaching(harness)
    edited = factories.message("Acme Plastics")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = int(_time.time())
    assert await harness.feed(edited) == []
    assert "company's name" in step.text
    async with harness.runtime.sessionmaker() as s:
        assert await s.get(Organisation, factories.USER_ID) is None


async def test_odd_digits_at_a_rating_question_are_refused(harness):
    await harness.ask("/feedback")
    await harness.press("fbs:matching")
    for text in ("²", "--3", "٣"):
        calls = harness.messages(await harness.say(text))
        assert "answer with the buttons" in calls[0].text, text


async def test_unfinished_anonymous_drafts_keep_no_identity(harness):
    for close in ("cancel", "abandon"):
        await harness.ask("/feedback")
        step = last(harness, await harness.press("fbs:matching"))
        await harness.press(data(step, "fq:").rsplit(":", 1)[0] + ":4")
        if close == "cancel":
            await harness.ask("/cancel")
        else:
            async with harness.runtime.sessionmaker() as s:
                draft = await s.scalar(select(SurveyDraft).where(SurveyDraft.status == "draft"))
                draft.updated_at = utcnow() - timedelta(days=8)
                await s.commit()
                assert await close_abandoned(s) == 1
                await s.commit()
    drafts = await rows(harness, SurveyDraft)
    assert sorted(d.status for d in drafts) == ["abandoned", "cancelled"]
    assert all(d.user_id is None and d.answers == {} and d.step >= 1 for d in drafts)
