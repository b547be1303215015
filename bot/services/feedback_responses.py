"""Submitted responses: one per SME, service and pilot round; drafts kept in step with the survey.

A new response for the same service and round replaces the earlier one (the user confirmed
it before starting). Anonymous surveys store no user id and no organisation with the answers.
Drafts left for a week are closed; a draft whose step a knowledge reload removed is moved on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.feedback import FeedbackAnswer, FeedbackResponse, SurveyDraft
from bot.db.models import utcnow
from bot.knowledge.surveys import Service, Survey
from bot.services import survey_logic as logic
from bot.services.feedback_flow import (
    OPEN,
    DraftView,
    load_step,
    move,
    organisation_of,
    view_of,
)

ABANDON_AFTER = timedelta(days=7)


async def has_response(session: AsyncSession, user_id: int, service: Service) -> bool:
    found = await session.scalar(
        select(func.count()).select_from(FeedbackResponse).where(
            FeedbackResponse.user_id == user_id, FeedbackResponse.service_id == service.id,
            FeedbackResponse.round == service.round)
    )
    return bool(found)


async def close_abandoned(session: AsyncSession, now: datetime | None = None) -> int:
    """Close drafts left untouched for ABANDON_AFTER; returns how many.

    Drafts of anonymous surveys also lose the user id and the answers: only the furthest
    step, needed for drop-off figures, is kept.
    """
    cutoff = (now or utcnow()) - ABANDON_AFTER
    drafts = (await session.scalars(select(SurveyDraft).where(
        SurveyDraft.status.in_(OPEN), SurveyDraft.updated_at < cutoff))).all()
    for draft in drafts:
        draft.status = "abandoned"
        if (draft.answers or {}).get("_anonymous"):
            draft.user_id, draft.answers = None, {}
    await session.flush()
    return len(drafts)


async def refit(session: AsyncSession, user_id: int, draft_id: int, survey: Survey
                ) -> DraftView | None:
    """The draft, moved to a step that exists if a knowledge reload removed its own.

    Answers given so far are kept: the draft goes to the first required question still
    unanswered, or else to the summary; organisation steps of a survey made anonymous lead
    to its first question. None when the draft is no longer open.
    """
    draft = await load_step(session, user_id, draft_id, None, None)
    if draft is None:
        return None
    answers = dict(draft.answers or {})
    if logic.step_fits(survey, draft.stage, draft.position, answers):
        return view_of(draft, await organisation_of(session, user_id))
    answers.pop("_editing", None)  # the question being edited may be the one that went away
    if survey.anonymous:  # made anonymous meanwhile: a cancelled or abandoned draft forgets the user
        answers["_anonymous"] = True
    draft.answers = answers
    if draft.stage in ("org", "org_review"):
        target = logic.first_position(survey, answers)
    else:
        target = logic.missing_required(survey, answers)
    if target is None:
        return await move(session, draft, survey, "summary")
    return await move(session, draft, survey, "questions", target)


async def submit(session: AsyncSession, user_id: int, draft_id: int, survey: Survey,
                 lang: str, now: datetime | None = None) -> DraftView | int | None:
    """Store the response (replacing an earlier one for the same service and round).

    Returns the response id, a DraftView of the first unanswered required question, or None
    when the press was stale.
    """
    draft = await load_step(session, user_id, draft_id, "summary", None)
    if draft is None:
        return None
    answers = {k: v for k, v in (draft.answers or {}).items() if not k.startswith("_")}
    missing = logic.missing_required(survey, answers)
    if missing is not None:
        return await move(session, draft, survey, "questions", missing)
    now = now or utcnow()
    owner = None if survey.anonymous else user_id
    if owner is not None:
        await session.execute(delete(FeedbackResponse).where(
            FeedbackResponse.user_id == owner, FeedbackResponse.service_id == draft.service_id,
            FeedbackResponse.round == draft.round))
    organisation = None if survey.anonymous else await organisation_of(session, user_id)
    response = FeedbackResponse(user_id=owner, survey_id=survey.id, service_id=draft.service_id,
                                round=draft.round, anonymous=survey.anonymous,
                                organisation=organisation, language=lang, submitted_at=now)
    session.add(response)
    await session.flush()
    for qid, value in logic.visible_answers(survey, answers).items():
        question = survey.question(qid)
        if question is not None:
            number, text = logic.answer_cells(question, value)
            session.add(FeedbackAnswer(response_id=response.id, question_id=qid,
                                       number=number, text=text))
    draft.status, draft.updated_at = "submitted", now
    if survey.anonymous:  # keep only what drop-off figures need
        draft.user_id, draft.answers = None, {}
    await session.flush()
    return response.id
