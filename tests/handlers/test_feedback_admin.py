"""End-to-end: /report and /export for staff."""

from __future__ import annotations

import csv
import io

from tests import factories
from tests.services.test_feedback_report import seed

ADMIN = {"user_id": factories.ADMIN_ID}


async def test_report_and_export_are_for_staff_only(harness):
    for command in ("/report", "/export"):
        assert "for project staff only" in (await harness.ask(command)).text


async def test_report_shows_figures_and_sends_a_chart(harness, session):
    await seed(session)
    calls = await harness.say("/report coaching", **ADMIN)
    (text,) = harness.messages(calls)
    assert "Feedback report — Internationalisation coaching" in text.text
    assert "Responses: <b>3</b>" in text.text and "completed 3 (60%)" in text.text
    assert "average <b>3.33</b>" in text.text
    assert "NPS <b>0</b> (1 promoters, 1 passives, 1 detractors)" in text.text
    assert "Above expectations: 1" in text.text and "“Too short”" in text.text
    (photo,) = [c for c in calls if c.method == "sendPhoto"]
    _, content = photo.params["_files"]["photo"]
    assert content.startswith(b"\x89PNG")


async def test_report_without_data_and_with_unknown_service(harness):
    assert "No feedback yet" in (await harness.ask("/report", **ADMIN)).text
    reply = await harness.ask("/report nosuch", **ADMIN)
    assert "don't know the service" in reply.text and "coaching" in reply.text


async def test_export_sends_a_csv_document(harness, session):
    await seed(session)
    calls = await harness.say("/export coaching", **ADMIN)
    (document,) = [c for c in calls if c.method == "sendDocument"]
    filename, content = document.params["_files"]["document"]
    assert filename == "feedback-coaching.csv"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[0][0] == "response_id"
    assert "3 responses" in document.params["caption"]
    calls = await harness.say("/export xlsx", **ADMIN)
    (document,) = [c for c in calls if c.method == "sendDocument"]
    assert document.params["_files"]["document"][0] == "feedback-all.xlsx"


async def test_report_without_argument_covers_every_survey(harness, session):
    from bot.db.feedback import FeedbackAnswer, FeedbackResponse, SurveyDraft

    await seed(session)
    response = FeedbackResponse(user_id=None, survey_id="quick-anon", service_id="matching",
                                round=2, anonymous=True, language="en")
    session.add(response)
    await session.flush()
    session.add(FeedbackAnswer(response_id=response.id, question_id="useful", number=4))
    session.add(SurveyDraft(user_id=None, survey_id="quick-anon", service_id="matching",
                            status="submitted", step=2, answers={}))
    await session.commit()
    calls = await harness.say("/report", **ADMIN)
    texts = [c.text for c in harness.messages(calls)]
    assert len(texts) == 2
    assert "all services · Feedback on a piloted service" in texts[0]
    assert "all services · Quick anonymous check" in texts[1] and "Responses: <b>1</b>" in texts[1]
    assert [c.method for c in calls].count("sendPhoto") == 1
