"""Staff change a survey with /reload while someone is half-way through it: the draft moves to a
step that exists, nothing raises, and typed answers never fall through to the knowledge base."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.feedback import FeedbackAnswer, FeedbackResponse
from tests.conftest import make_settings
from tests.handlers.feedback_support import (
    answer,
    copy_knowledge,
    data,
    drafts,
    last,
    to_question_4,
)

WENT_WRONG = "something went wrong"
CHANGED = "survey was changed after you started it"


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    return make_settings(db_url, knowledge_dir=copy_knowledge(tmp_path))


async def _rewrite_survey(harness, settings, tail: str = "") -> None:  # type: ignore[no-untyped-def]
    """Drop every question from "benefits" on (adding `tail`) and reload, as staff would."""
    path = settings.knowledge_dir / "surveys" / "pilot-service.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: benefits")] + tail, encoding="utf-8")
    await harness.runtime.reload()


async def test_feedback_after_the_survey_was_shortened_shows_the_summary(harness, settings):
    await to_question_4(harness)  # position 3; the survey is cut to two questions
    await _rewrite_survey(harness, settings)
    (sent,) = harness.messages(await harness.say("/feedback"))
    assert CHANGED in sent.text and "Your answers" in sent.text and "not saved" not in sent.text
    (draft,) = await drafts(harness)
    assert (draft.status, draft.stage) == ("draft", "summary")

    calls = harness.messages(await harness.say("7"))  # typed at the summary: not a KB question
    assert len(calls) == 2 and "answer with the buttons" in calls[0].text
    thanks = last(harness, await harness.press(data(calls[-1], "fs:")))
    assert "Thank you!" in thanks.text
    async with harness.runtime.sessionmaker() as s:
        (response,) = (await s.scalars(select(FeedbackResponse))).all()
        answers = (await s.scalars(select(FeedbackAnswer))).all()
    assert response.service_id == "coaching" and len(answers) == 2


async def test_typed_answer_to_a_removed_question_is_refused_not_sent_to_the_kb(harness, settings):
    await to_question_4(harness)
    await _rewrite_survey(harness, settings)
    calls = harness.messages(await harness.say("7"))  # the NPS answer, typed after the reload
    assert len(calls) == 1 and not any(WENT_WRONG in c.text for c in calls)
    assert CHANGED in calls[0].text and "was not saved" in calls[0].text
    assert "Your answers" in calls[0].text
    (draft,) = await drafts(harness)
    assert draft.stage == "summary" and "recommend" not in draft.answers


async def test_button_of_a_removed_question_shows_where_to_continue(harness, settings):
    step = await to_question_4(harness)
    step = last(harness, await harness.say("10"))
    assert "Question 5 of 6" in step.text
    await _rewrite_survey(harness, settings)
    calls = await harness.press(answer(step, "fq:", "yes"))
    (edited,) = harness.messages(calls)
    assert edited.method == "editMessageText" and CHANGED in edited.text
    assert "Your answers" in edited.text and data(edited, "fs:").endswith(":submit")
    assert [c.method for c in calls].count("answerCallbackQuery") == 1


async def test_a_new_required_question_is_where_the_draft_goes(harness, settings):
    await to_question_4(harness)
    await _rewrite_survey(harness, settings, tail=(
        "  - id: extra\n    type: yesno\n    text:\n      en: Did you meet the coach twice?\n"))
    (sent,) = harness.messages(await harness.say("/feedback"))
    assert CHANGED in sent.text and "Question 3 of 3" in sent.text and "coach twice" in sent.text
    step = last(harness, await harness.press(answer(sent, "fq:", "yes")))
    assert "Your answers" in step.text


async def test_typed_answer_after_the_service_was_removed_is_not_sent_to_the_kb(harness,
                                                                               settings):
    await to_question_4(harness)
    path = settings.knowledge_dir / "services.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: coaching")] + text[text.index("  - id: matching"):],
                    encoding="utf-8")
    await harness.runtime.reload()
    calls = harness.messages(await harness.say("7"))
    assert len(calls) == 1 and "no piloted service open" in calls[0].text
    (draft,) = await drafts(harness)
    assert draft.status == "cancelled"
    answer_to_kb = await harness.ask("what is the ERDF")  # the survey no longer takes text
    assert answer_to_kb.text.startswith("<b>The European Regional Development Fund")
