"""Feedback export: one row per response, one column per question, stable column order.

CSV is UTF-8 with a byte-order mark so that spreadsheet programs detect the encoding;
multi-select answers are joined with "; " (free text is exported exactly as typed). Answers
typed by SMEs that start like a formula (=, +, -, @) get a leading apostrophe, so that
opening the file never runs them.
No stored answer is ever left out: answers to questions (or of surveys) no longer in the
knowledge folder get columns of their own, after those of the current surveys.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.feedback import FeedbackAnswer, FeedbackResponse
from bot.knowledge.surveys import Service, Survey, localized

FIXED_COLUMNS = ["response_id", "submitted_at", "service_id", "service", "round", "language",
                 "anonymous", "org_name", "org_sector", "org_region", "org_size"]


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    rows: list[list[object]]


async def export_table(session: AsyncSession, surveys: dict[str, Survey],
                       services: dict[str, Service], service_id: str | None = None) -> Table:
    """Responses (of one service, or all) as a table; question columns in survey order."""
    query = select(FeedbackResponse).order_by(FeedbackResponse.submitted_at, FeedbackResponse.id)
    if service_id:
        query = query.where(FeedbackResponse.service_id == service_id)
    responses = (await session.scalars(query)).all()
    question_columns: list[str] = []
    for survey in sorted(surveys.values(), key=lambda s: s.id):
        if any(r.survey_id == survey.id for r in responses):
            question_columns += [q.id for q in survey.questions if q.id not in question_columns]
    ids = [r.id for r in responses]
    survey_of = {r.id: surveys.get(r.survey_id) for r in responses}
    answers: dict[int, dict[str, object]] = {i: {} for i in ids}
    if ids:
        for a in (await session.scalars(
                select(FeedbackAnswer).where(FeedbackAnswer.response_id.in_(ids))
                .order_by(FeedbackAnswer.response_id, FeedbackAnswer.id))).all():
            answers[a.response_id][a.question_id] = _cell(survey_of[a.response_id], a)
    known = set(question_columns)
    for r in responses:  # questions removed from the knowledge folder, in order of appearance
        for qid in answers[r.id]:
            if qid not in known:
                known.add(qid)
                question_columns.append(qid)
    rows = []
    for r in responses:
        org = r.organisation or {}
        service = services.get(r.service_id)
        rows.append([
            r.id, r.submitted_at.isoformat(timespec="seconds"), r.service_id,
            localized(service.name, "en") if service else "", r.round, r.language,
            "yes" if r.anonymous else "no", org.get("name") or "", org.get("sector") or "",
            org.get("region") or "", org.get("size_band") or "",
            *[answers[r.id].get(c, "") for c in question_columns],
        ])
    return Table(FIXED_COLUMNS + question_columns, rows)


def _cell(survey: Survey | None, answer: FeedbackAnswer) -> object:
    """An answer's cell: numbers as numbers, multi-select options joined with "; "."""
    if not answer.text:
        number = answer.number
        return int(number) if isinstance(number, float) and number.is_integer() else number
    question = survey.question(answer.question_id) if survey is not None else None
    if question is not None and question.type == "multi":
        return "; ".join(v for v in answer.text.split(";") if v)
    return answer.text


def _safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula is kept as text (a leading apostrophe)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _rows(table: Table) -> list[list[object]]:
    return [[_safe(v) for v in row] for row in table.rows]


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(_rows(table))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook  # imported here: only exports need it

    book = Workbook()
    sheet = book.active
    sheet.title = "responses"
    sheet.append(table.columns)
    for row in _rows(table):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
