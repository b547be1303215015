"""What the bot stores about a person (/mydata) and deleting it (/forget).

Forgetting deletes the person's questions and votes, survey drafts, organisation details,
subscriptions and delivery records, and the user record itself. Submitted survey answers stay
in the pilot statistics but lose every link to the person (no user id, no organisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.feedback import FeedbackResponse, Organisation, SurveyDraft
from bot.db.models import AnswerFeedback, Question, User
from bot.services import digest_privacy

RECENT_QUESTIONS = 5


@dataclass(frozen=True, slots=True)
class MyData:
    known: bool
    language: str | None = None
    telegram_language: str | None = None
    first_seen: datetime | None = None
    questions: int = 0
    recent_questions: tuple[str, ...] = ()
    votes: int = 0
    organisation: dict[str, Any] | None = None
    responses: tuple[tuple[str, int, datetime], ...] = ()  # service, round, submitted
    open_drafts: int = 0
    subscriptions: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Forgotten:
    questions: int
    drafts: int
    responses_detached: int
    subscription_rows: int


async def my_data(session: AsyncSession, user_id: int) -> MyData:
    user = await session.get(User, user_id)
    if user is None:
        return MyData(known=False)
    count = await session.scalar(
        select(func.count()).select_from(Question).where(Question.user_id == user_id))
    recent = (await session.scalars(
        select(Question.text).where(Question.user_id == user_id)
        .order_by(Question.asked_at.desc(), Question.id.desc()).limit(RECENT_QUESTIONS))).all()
    votes = await session.scalar(
        select(func.count()).select_from(AnswerFeedback).join(
            Question, Question.id == AnswerFeedback.question_id).where(Question.user_id == user_id))
    org = await session.get(Organisation, user_id)
    responses = (await session.execute(
        select(FeedbackResponse.service_id, FeedbackResponse.round, FeedbackResponse.submitted_at)
        .where(FeedbackResponse.user_id == user_id).order_by(FeedbackResponse.submitted_at))).all()
    drafts = await session.scalar(
        select(func.count()).select_from(SurveyDraft).where(
            SurveyDraft.user_id == user_id, SurveyDraft.status.in_(("draft", "paused"))))
    return MyData(
        known=True, language=user.language, telegram_language=user.telegram_language,
        first_seen=user.first_seen, questions=int(count or 0), recent_questions=tuple(recent),
        votes=int(votes or 0),
        organisation={k: getattr(org, k) for k in ("name", "sector", "region", "size_band")}
        if org else None,
        responses=tuple((s, r, t) for s, r, t in responses), open_drafts=int(drafts or 0),
        subscriptions=await _subscriptions(session, user_id),
    )


async def _subscriptions(session: AsyncSession, user_id: int) -> dict[str, Any] | None:
    data = await digest_privacy.subscription_data(session, user_id)
    return data if data.get("subscriptions") or data.get("deliveries") else None


async def forget(session: AsyncSession, user_id: int) -> Forgotten:
    """Delete everything that identifies the user; returns what was removed."""
    questions = await session.execute(delete(Question).where(Question.user_id == user_id))
    drafts = await session.execute(delete(SurveyDraft).where(SurveyDraft.user_id == user_id))
    detached = await session.execute(
        update(FeedbackResponse).where(FeedbackResponse.user_id == user_id)
        .values(user_id=None, organisation=None))
    await session.execute(delete(Organisation).where(Organisation.user_id == user_id))
    subscription_rows = await digest_privacy.forget_subscriptions(session, user_id)
    await session.execute(delete(User).where(User.id == user_id))
    await session.flush()
    return Forgotten(questions.rowcount or 0, drafts.rowcount or 0, detached.rowcount or 0,
                     subscription_rows)
