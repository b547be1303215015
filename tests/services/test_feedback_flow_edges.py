"""Service-level edges of the survey flow: an open draft is never cancelled as a side effect,
and a draft whose step a knowledge reload removed moves to one that exists."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot.db.feedback import SurveyDraft
from bot.db.models import User, utcnow
from bot.knowledge import load_knowledge
from bot.services import feedback_flow as flow
from bot.services import survey_logic as logic
from bot.services.feedback_responses import refit
from tests.conftest import FIXTURE_KNOWLEDGE

KB = load_knowledge(FIXTURE_KNOWLEDGE)
SURVEY = KB.surveys["pilot-service"]
ANONYMOUS = KB.surveys["quick-anon"]
COACHING, MATCHING = KB.services["coaching"], KB.services["matching"]
UID = 7


async def _user(session) -> None:  # type: ignore[no-untyped-def]
    session.add(User(id=UID, role="user", first_seen=utcnow(), last_seen=utcnow()))
    await session.flush()


async def _statuses(session) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = await session.scalars(select(SurveyDraft).order_by(SurveyDraft.id))
    return [(d.service_id, d.status) for d in rows.all()]


async def test_start_never_cancels_an_open_draft_unless_it_is_the_one_replaced(session):
    await _user(session)
    first = await flow.start(session, UID, SURVEY, COACHING)
    again = await flow.start(session, UID, ANONYMOUS, MATCHING)  # another survey, not asked
    assert again.id == first.id and again.service_id == "coaching"
    assert await _statuses(session) == [("coaching", "draft")]
    new = await flow.start(session, UID, ANONYMOUS, MATCHING, replacing=first.id)
    assert new.id != first.id and new.service_id == "matching"
    assert await _statuses(session) == [("coaching", "cancelled"), ("matching", "draft")]


async def test_open_for_resumes_the_same_service_and_reports_another(session):
    await _user(session)
    assert await flow.open_for(session, UID, "coaching") is None
    view = await flow.start(session, UID, SURVEY, COACHING)
    assert await flow.pause(session, UID, view.id)
    resumed = await flow.open_for(session, UID, "coaching")
    assert resumed is not None and (resumed.id, resumed.status) == (view.id, "draft")
    other = await flow.open_for(session, UID, "matching")
    assert other is not None and other.id == view.id  # returned for the user to decide
    assert await flow.open_for(session, UID, "matching", replacing=view.id) is None
    assert await _statuses(session) == [("coaching", "draft")]  # still nothing cancelled


async def _draft_at(session, survey, stage: str, position: int, answers) -> int:  # type: ignore[no-untyped-def]
    await _user(session)
    draft = SurveyDraft(user_id=UID, survey_id=survey.id, service_id="coaching", stage=stage,
                        position=position, answers=answers, status="paused")
    session.add(draft)
    await session.flush()
    return draft.id


async def test_refit_moves_a_position_past_the_end_to_the_summary(session):
    short = replace(SURVEY, questions=SURVEY.questions[:2])
    draft_id = await _draft_at(session, short, "questions", 3,
                               {"overall": 4, "expectations": "met", "_editing": True})
    view = await refit(session, UID, draft_id, short)
    assert (view.stage, view.status) == ("summary", "draft")
    assert view.answers == {"overall": 4, "expectations": "met"}


async def test_refit_moves_to_the_first_required_question_still_unanswered(session):
    draft_id = await _draft_at(session, SURVEY, "questions", 40, {"overall": 4})
    view = await refit(session, UID, draft_id, SURVEY)
    assert (view.stage, view.position) == ("questions", 1)


async def test_refit_leaves_a_fitting_draft_alone(session):
    draft_id = await _draft_at(session, SURVEY, "questions", 1, {"overall": 4, "_editing": True})
    view = await refit(session, UID, draft_id, SURVEY)
    assert (view.stage, view.position, view.status) == ("questions", 1, "paused")
    assert view.answers == {"overall": 4, "_editing": True}


async def test_refit_sends_organisation_steps_of_a_survey_made_anonymous_to_question_one(session):
    anonymous = replace(SURVEY, anonymous=True)
    draft_id = await _draft_at(session, anonymous, "org", 2, {})
    view = await refit(session, UID, draft_id, anonymous)
    assert (view.stage, view.position) == ("questions", 0)
    assert view.answers.get("_anonymous") is True  # so a cancel or abandon drops the user id


def test_step_fits():
    hidden = SURVEY.questions.index(SURVEY.question("why_not"))
    assert logic.step_fits(SURVEY, "org", 3, {}) and not logic.step_fits(SURVEY, "org", 4, {})
    assert logic.step_fits(SURVEY, "org_review", 0, {})
    assert not logic.step_fits(replace(SURVEY, anonymous=True), "org", 0, {})
    assert logic.step_fits(SURVEY, "questions", 6, {})
    assert not logic.step_fits(SURVEY, "questions", 7, {})
    assert not logic.step_fits(SURVEY, "questions", hidden, {"continue": "yes"})
    assert logic.step_fits(SURVEY, "questions", hidden, {"continue": "no"})
    assert logic.step_fits(SURVEY, "summary", 0, {})
    assert not logic.step_fits(SURVEY, "elsewhere", 0, {})
