"""The export keeps every stored answer as it was given: free text untouched, and answers to
questions or surveys no longer in the knowledge folder still exported."""

from __future__ import annotations

import csv
import io

from bot.db.feedback import FeedbackAnswer, FeedbackResponse
from bot.db.models import User, utcnow
from bot.services.feedback_export import FIXED_COLUMNS, export_table, to_csv
from tests.services.test_feedback_report import KB, SURVEY


async def _response(session, uid, answers, survey_id=SURVEY.id):  # type: ignore[no-untyped-def]
    now = utcnow()
    session.add(User(id=uid, role="user", first_seen=now, last_seen=now))
    await session.flush()
    response = FeedbackResponse(user_id=uid, survey_id=survey_id, service_id="coaching",
                                round=1, language="en", submitted_at=now)
    session.add(response)
    await session.flush()
    for qid, number, text in answers:
        session.add(FeedbackAnswer(response_id=response.id, question_id=qid, number=number,
                                   text=text))
    await session.commit()


def _rows(table) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


async def test_free_text_keeps_its_semicolons(session):
    comment = "see https://x.eu/a;b=1 and &nbsp; ok;  fine"
    await _response(session, 1, [("overall", 4, None), ("comment", None, comment),
                                 ("why_not", None, "a;b"), ("benefits", None, "contacts;project")])
    (row,) = _rows(await export_table(session, dict(KB.surveys), dict(KB.services)))
    assert row["comment"] == comment and row["why_not"] == "a;b"
    assert row["benefits"] == "contacts; project" and row["overall"] == "4"


async def test_answers_to_a_removed_question_get_a_column(session):
    await _response(session, 1, [("overall", 4, None), ("old_question", None, "important"),
                                 ("old_score", 7, None)])
    table = await export_table(session, dict(KB.surveys), dict(KB.services))
    current = [q.id for q in SURVEY.questions]
    assert table.columns == FIXED_COLUMNS + current + ["old_question", "old_score"]
    (row,) = _rows(table)
    assert row["old_question"] == "important" and row["old_score"] == "7"


async def test_responses_of_a_removed_survey_are_exported(session):
    await _response(session, 1, [("overall", 5, None)])
    await _response(session, 2, [("q1", 4, None), ("q2", None, "kept;as typed"),
                                 ("overall", 2, None)], survey_id="old-survey")
    table = await export_table(session, dict(KB.surveys), dict(KB.services))
    assert table.columns[-2:] == ["q1", "q2"]
    first, second = _rows(table)
    assert first["overall"] == "5" and first["q1"] == ""
    assert (second["q1"], second["q2"], second["overall"]) == ("4", "kept;as typed", "2")
