"""Feedback highlights for digests: responses and average rating per piloted service.

The survey definitions are not needed: a question counts as a rating when every numeric
answer it received in the period is a whole number from 1 to 5.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.feedback import FeedbackAnswer, FeedbackResponse

RATING_VALUES = {1.0, 2.0, 3.0, 4.0, 5.0}


@dataclass(frozen=True, slots=True)
class ServiceFeedback:
    service_id: str
    responses: int
    average_rating: float | None  # None when no rating question was answered


async def feedback_highlights(
    session: AsyncSession, since: datetime, until: datetime
) -> list[ServiceFeedback]:
    """Per service: responses submitted in (since, until] and their average rating."""
    in_period = (FeedbackResponse.submitted_at > since) & (FeedbackResponse.submitted_at <= until)
    counts = dict((await session.execute(
        select(FeedbackResponse.service_id, func.count())
        .where(in_period).group_by(FeedbackResponse.service_id)
    )).all())
    if not counts:
        return []
    rows = (await session.execute(
        select(FeedbackResponse.service_id, FeedbackAnswer.question_id, FeedbackAnswer.number)
        .join(FeedbackAnswer, FeedbackAnswer.response_id == FeedbackResponse.id)
        .where(in_period, FeedbackAnswer.number.is_not(None))
    )).all()
    values_by_question: dict[str, set[float]] = defaultdict(set)
    for _, question_id, number in rows:
        values_by_question[question_id].add(float(number))
    ratings = {q for q, values in values_by_question.items() if values <= RATING_VALUES}
    by_service: dict[str, list[float]] = defaultdict(list)
    for service_id, question_id, number in rows:
        if question_id in ratings:
            by_service[service_id].append(float(number))
    return [
        ServiceFeedback(
            service_id, int(count),
            round(sum(by_service[service_id]) / len(by_service[service_id]), 1)
            if by_service[service_id] else None,
        )
        for service_id, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
