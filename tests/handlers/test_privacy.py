"""End-to-end: /mydata and /forget."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.feedback import FeedbackResponse, Organisation, SurveyDraft
from bot.db.models import Question, User
from tests import factories


async def count(harness, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_mydata_for_a_new_user_and_after_activity(harness):
    reply = await harness.ask("/mydata")
    assert "What I store about you" in reply.text and "Questions you asked: 0" in reply.text
    await harness.ask("what is the <b>ERDF</b>")
    async with harness.runtime.sessionmaker() as s:
        s.add(Organisation(user_id=factories.USER_ID, name="Acme", region="Veneto"))
        s.add(FeedbackResponse(user_id=factories.USER_ID, survey_id="pilot-service",
                               service_id="coaching", round=1, language="en"))
        await s.commit()
    reply = await harness.ask("/mydata")
    assert "Questions you asked: 1" in reply.text
    assert "“what is the &lt;b&gt;ERDF&lt;/b&gt;”" in reply.text
    assert "Organisation details: Acme, Veneto" in reply.text
    assert "Feedback you gave: Internationalisation coaching" in reply.text
    assert "Digest subscriptions: none" in reply.text


async def test_forget_asks_first_then_deletes_and_anonymises(harness):
    await harness.ask("what is the ERDF")
    await harness.say("/feedback")
    await harness.press("fbs:coaching")
    async with harness.runtime.sessionmaker() as s:
        s.add(FeedbackResponse(user_id=factories.USER_ID, survey_id="pilot-service",
                               service_id="matching", round=1, language="en",
                               organisation={"name": "Acme"}))
        await s.commit()
    prompt = await harness.ask("/forget")
    assert "cannot be undone" in prompt.text
    kept = harness.messages(await harness.press("pr:no"))[0]
    assert "Nothing was deleted" in kept.text
    assert await count(harness, Question) == 1
    done = harness.messages(await harness.press("pr:yes"))[0]
    assert "deleted 1 questions, 1 survey drafts" in done.text
    assert await count(harness, Question) == 0
    assert await count(harness, SurveyDraft) == 0
    assert await count(harness, User, User.id == factories.USER_ID) == 0
    async with harness.runtime.sessionmaker() as s:
        (response,) = (await s.scalars(select(FeedbackResponse))).all()
    assert response.user_id is None and response.organisation is None


async def test_mydata_lists_subscriptions_in_the_users_language_and_forget_removes_them(harness):
    from bot.db.digest import DigestSubscription

    await harness.ask("/start", language_code="it")
    async with harness.runtime.sessionmaker() as s:
        s.add(DigestSubscription(chat_id=factories.USER_ID, user_id=factories.USER_ID,
                                 frequency="monthly", topics=["clusters"], language="de",
                                 timezone="Europe/Vienna", hour=8, minute=30))
        await s.commit()
    reply = await harness.ask("/mydata", language_code="it")
    line = next(x for x in reply.text.splitlines() if "08:30" in x)
    assert "Europe/Vienna" in line and "clusters" in line
    assert "monthly" not in line and " de," not in line  # labels, not raw values
    harness.messages(await harness.press("pr:yes", language_code="it"))
    assert await count(harness, DigestSubscription) == 0


async def test_personal_data_commands_stay_out_of_groups(harness):
    group = {"id": -100123, "type": "supergroup", "title": "Cluster managers"}
    for command in ("/mydata", "/forget", "/start fb_coaching"):
        (reply,) = harness.messages(await harness.say(command, chat=group))
        assert "private chat" in reply.text and "t.me/" in reply.text, command
    await harness.ask("what is the ERDF")
    update = factories.callback("pr:yes")
    update["callback_query"]["message"]["chat"] = group
    await harness.feed(update)
    assert await count(harness, Question) == 1  # nothing deleted from a group button
