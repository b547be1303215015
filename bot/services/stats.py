"""Usage figures for staff (`/stats`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AnswerFeedback, Question, User, utcnow


@dataclass(frozen=True, slots=True)
class Stats:
    days: int
    questions: int
    answered: int
    ambiguous: int
    no_match: int
    resolved: int  # ambiguous questions settled by a "did you mean" pick
    votes: int
    helpful: int
    users: int
    active_users: int

    @property
    def answer_rate(self) -> float | None:
        return (self.answered + self.resolved) / self.questions if self.questions else None

    @property
    def helpful_rate(self) -> float | None:
        return self.helpful / self.votes if self.votes else None


async def usage_stats(session: AsyncSession, days: int = 30, now: datetime | None = None) -> Stats:
    since = (now or utcnow()) - timedelta(days=days)
    by_status = dict(
        (await session.execute(
            select(Question.status, func.count())
            .where(Question.asked_at >= since, Question.source == "chat")
            .group_by(Question.status)
        )).all()
    )
    resolved = await session.scalar(
        select(func.count()).select_from(Question)
        .where(Question.asked_at >= since, Question.source == "chat",
               Question.resolved_entry_id.is_not(None), Question.status != "answered")
    )
    votes = (await session.execute(
        select(func.count(), func.count().filter(AnswerFeedback.helpful.is_(True)))
        .select_from(AnswerFeedback).join(Question, Question.id == AnswerFeedback.question_id)
        .where(Question.asked_at >= since)
    )).one()
    users = await session.scalar(select(func.count()).select_from(User))
    active = await session.scalar(
        select(func.count()).select_from(User).where(User.last_seen >= since)
    )
    return Stats(
        days=days,
        questions=sum(by_status.values()),
        answered=by_status.get("answered", 0),
        ambiguous=by_status.get("ambiguous", 0),
        no_match=by_status.get("no_match", 0),
        resolved=int(resolved or 0),
        votes=int(votes[0] or 0),
        helpful=int(votes[1] or 0),
        users=int(users or 0),
        active_users=int(active or 0),
    )
