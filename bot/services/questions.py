"""Questions asked and what users said about the answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AnswerFeedback, Question, utcnow
from bot.search import ANSWERED, SearchResult

MAX_STORED_CHARS = 1000


@dataclass(frozen=True, slots=True)
class RecordedQuestion:
    id: int
    status: str
    entry_id: str | None


async def record_question(
    session: AsyncSession,
    user_id: int | None,
    result: SearchResult,
    *,
    source: str = "chat",
    now: datetime | None = None,
) -> RecordedQuestion:
    best = result.best
    answered = result.status == ANSWERED
    question = Question(
        user_id=user_id,
        text=result.question.replace("\x00", "").strip()[:MAX_STORED_CHARS],
        language=result.lang,
        status=result.status,
        entry_id=best.id if best and answered else None,
        score=best.score if best else None,
        source=source,
        asked_at=now or utcnow(),
    )
    session.add(question)
    await session.flush()
    return RecordedQuestion(question.id, question.status, question.entry_id)


async def _own_question(session: AsyncSession, question_id: int, user_id: int) -> Question | None:
    question = await session.get(Question, question_id)
    if question is None or question.user_id != user_id:
        return None
    return question


async def record_helpful(
    session: AsyncSession, question_id: int, user_id: int, helpful: bool
) -> bool:
    """Store 👍/👎 for an answer; pressing again changes the vote.

    False when the question is not the user's or was never answered.
    """
    question = await _own_question(session, question_id, user_id)
    entry_id = question and (question.resolved_entry_id or question.entry_id)
    if question is None or entry_id is None:
        return False
    feedback = await session.scalar(
        select(AnswerFeedback).where(AnswerFeedback.question_id == question_id)
    )
    if feedback is None:
        session.add(AnswerFeedback(question_id=question_id, entry_id=entry_id, helpful=helpful))
    else:
        feedback.helpful = helpful
        feedback.entry_id = entry_id
        feedback.created_at = utcnow()
    await session.flush()
    return True


async def record_resolution(
    session: AsyncSession, question_id: int, user_id: int, entry_id: str
) -> bool:
    """The user picked a "did you mean" option: remember it as a phrasing for curators."""
    question = await _own_question(session, question_id, user_id)
    if question is None:
        return False
    question.resolved_entry_id = entry_id
    await session.flush()
    return True
