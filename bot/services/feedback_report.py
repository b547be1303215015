"""Feedback figures for staff: responses, completion, drop-off, ratings, NPS, distributions.

Definitions (also shown to staff in the report):
- started: survey drafts opened for the service; completed: drafts submitted;
  completion rate = completed / started.
- drop-off at a question: drafts that were cancelled or abandoned while that question was the
  furthest one they reached, as a share of the drafts that reached it.
- reached: drafts whose furthest step got to the question; a question shown only after some
  answers (show_if) counts only drafts for whose answers it was shown, and submitted surveys
  by the answers of their responses (drafts of anonymous surveys keep no answers).
- NPS: % promoters (9–10) minus % detractors (0–6), from -100 to 100.
Figures are rounded half up (12.5 -> 13), the same everywhere.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.feedback import FeedbackAnswer, FeedbackResponse, SurveyDraft
from bot.knowledge.surveys import Question, Survey
from bot.services.survey_logic import visible

LATEST_COMMENTS = 5


def round_half_up(value: float) -> int:
    """12.5 -> 13 and -12.5 -> -12 (Python's round() would give 12: half to even)."""
    return math.floor(value + 0.5)


def percent(share: float | None) -> int | None:
    """A 0–1 share as a whole percentage, rounded half up."""
    return None if share is None else round_half_up(share * 100)


@dataclass(frozen=True, slots=True)
class QuestionStats:
    id: str
    type: str
    answered: int
    reached: int  # drafts that got to this question
    dropped: int  # drafts that stopped here (cancelled or abandoned)
    average: float | None = None  # rating and NPS questions
    distribution: dict[str, int] = field(default_factory=dict)  # value -> count
    nps: int | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def drop_off(self) -> float | None:
        return self.dropped / self.reached if self.reached else None

    @property
    def drop_off_percent(self) -> int | None:
        return percent(self.drop_off)


@dataclass(frozen=True, slots=True)
class Comment:
    question_id: str
    text: str
    submitted_at: str


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    service_id: str | None  # None: every service
    responses: int
    started: int
    completed: int
    abandoned: int
    cancelled: int
    questions: tuple[QuestionStats, ...]
    comments: tuple[Comment, ...]

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None

    @property
    def completion_percent(self) -> int | None:
        return percent(self.completion_rate)


def nps_counts(scores: list[float]) -> tuple[int | None, int, int, int]:
    """(NPS, promoters, passives, detractors) of 0–10 scores."""
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    passives = len(scores) - promoters - detractors
    if not scores:
        return None, 0, 0, 0
    nps = round_half_up(100 * (promoters - detractors) / len(scores))
    return nps, promoters, passives, detractors


async def feedback_report(session: AsyncSession, survey: Survey,
                          service_ids: list[str]) -> FeedbackReport:
    """Figures for the given services (all answering `survey`)."""
    responses = (await session.scalars(
        select(FeedbackResponse).where(FeedbackResponse.service_id.in_(service_ids),
                                       FeedbackResponse.survey_id == survey.id)
        .order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc())
    )).all()
    ids = [r.id for r in responses]
    answers = (await session.scalars(
        select(FeedbackAnswer).where(FeedbackAnswer.response_id.in_(ids)))).all() if ids else []
    drafts = (await session.execute(
        select(SurveyDraft.status, SurveyDraft.step, SurveyDraft.answers).where(
            SurveyDraft.service_id.in_(service_ids), SurveyDraft.survey_id == survey.id)
    )).all()
    by_question: dict[str, list[FeedbackAnswer]] = defaultdict(list)
    by_response: dict[int, dict[str, Any]] = {i: {} for i in ids}
    for a in answers:
        by_question[a.question_id].append(a)
        by_response[a.response_id][a.question_id] = _answer_value(survey.question(a.question_id),
                                                                  a)
    shown = _shown(survey, drafts, list(by_response.values()))
    status = Counter(s for s, _, _ in drafts)
    stats = []
    for index, question in enumerate(survey.questions):
        given = by_question.get(question.id, [])
        dropped = sum(1 for s, step, _ in drafts
                      if step == index + 1 and s in ("cancelled", "abandoned"))
        stats.append(_question_stats(question.id, question.type, given, shown[index], dropped))
    order = {r.id: (r.submitted_at, r.id) for r in responses}
    texts = sorted((a for a in answers if a.text and survey.question(a.question_id)
                    and survey.question(a.question_id).type == "text"),
                   key=lambda a: order[a.response_id], reverse=True)
    comments = tuple(Comment(a.question_id, a.text, order[a.response_id][0].isoformat()[:10])
                     for a in texts[:LATEST_COMMENTS])
    return FeedbackReport(
        service_id=service_ids[0] if len(service_ids) == 1 else None,
        responses=len(responses), started=len(drafts), completed=status["submitted"],
        abandoned=status["abandoned"], cancelled=status["cancelled"],
        questions=tuple(stats), comments=comments,
    )


def _answer_value(question: Question | None, answer: FeedbackAnswer) -> Any:
    """A stored answer as the survey logic sees it (the inverse of survey_logic.answer_cells)."""
    if answer.number is not None:
        return int(answer.number) if float(answer.number).is_integer() else answer.number
    if question is not None and question.type == "multi":
        return [v for v in (answer.text or "").split(";") if v]
    return answer.text


def _shown(survey: Survey, drafts: Any, responses: list[dict[str, Any]]) -> list[int]:
    """How many surveys reached each question (see the module's definitions)."""
    reached = []
    for index, question in enumerate(survey.questions):
        if question.show_if is None:
            reached.append(sum(1 for _, step, _ in drafts if step >= index + 1))
            continue
        # a draft whose furthest step is this question was shown it; one that went further
        # was shown it only if its answers make it visible
        count = sum(1 for status, step, answers in drafts if status != "submitted" and (
            step == index + 1 or (step > index + 1 and index in visible(survey, answers or {}))))
        count += sum(1 for given in responses if index in visible(survey, given))
        reached.append(count)
    return reached


def _question_stats(qid: str, qtype: str, given: list[FeedbackAnswer], reached: int,
                    dropped: int) -> QuestionStats:
    if qtype in ("rating", "nps"):
        numbers = [a.number for a in given if a.number is not None]
        scale = range(1, 6) if qtype == "rating" else range(0, 11)
        distribution = {str(v): sum(1 for n in numbers if int(n) == v) for v in scale}
        average = round(sum(numbers) / len(numbers), 2) if numbers else None
        extra = {}
        if qtype == "nps":
            nps, promoters, passives, detractors = nps_counts(numbers)
            extra = {"nps": nps, "promoters": promoters, "passives": passives,
                     "detractors": detractors}
        return QuestionStats(qid, qtype, len(numbers), reached, dropped, average,
                             distribution, **extra)
    counts: Counter[str] = Counter()
    for a in given:
        for value in (a.text or "").split(";") if qtype == "multi" else [a.text or ""]:
            if value:
                counts[value] += 1
    distribution = dict(counts.most_common()) if qtype != "text" else {}
    return QuestionStats(qid, qtype, len(given), reached, dropped, None, distribution)
