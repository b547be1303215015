"""Report numbers, export content and the chart, on known data."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from bot.db.feedback import FeedbackAnswer, FeedbackResponse, SurveyDraft
from bot.db.models import User, utcnow
from bot.knowledge import load_knowledge
from bot.services.feedback_chart import ChartSeries, distribution_chart
from bot.services.feedback_export import export_table, to_csv, to_xlsx
from bot.services.feedback_report import feedback_report, nps_counts
from tests.conftest import FIXTURE_KNOWLEDGE

KB = load_knowledge(FIXTURE_KNOWLEDGE)
SURVEY = KB.surveys["pilot-service"]


async def seed(session) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    for uid in (1, 2, 3, 4):
        session.add(User(id=uid, role="user", first_seen=now, last_seen=now))
    await session.flush()
    rows = [  # user, overall, recommend, expectations, benefits, comment
        (1, 5, 10, "above", "contacts;project", "Très utile, merci"),
        (2, 3, 7, "met", "contacts", None),
        (3, 2, 4, "below", None, "Too short"),
    ]
    for i, (uid, overall, nps, exp, benefits, comment) in enumerate(rows):
        response = FeedbackResponse(user_id=uid, survey_id=SURVEY.id, service_id="coaching",
                                    round=1, language="en", submitted_at=now + timedelta(minutes=i),
                                    organisation={"name": f"Firm {uid}", "size_band": "1-9"})
        session.add(response)
        await session.flush()
        session.add_all([
            FeedbackAnswer(response_id=response.id, question_id="overall", number=overall),
            FeedbackAnswer(response_id=response.id, question_id="recommend", number=nps),
            FeedbackAnswer(response_id=response.id, question_id="expectations", text=exp),
        ])
        if benefits:
            session.add(FeedbackAnswer(response_id=response.id, question_id="benefits",
                                       text=benefits))
        if comment:
            session.add(FeedbackAnswer(response_id=response.id, question_id="comment",
                                       text=comment))
        session.add(SurveyDraft(user_id=uid, survey_id=SURVEY.id, service_id="coaching",
                                status="submitted", step=7, answers={}))
    session.add(SurveyDraft(user_id=4, survey_id=SURVEY.id, service_id="coaching",
                            status="abandoned", step=2, answers={}))
    session.add(SurveyDraft(user_id=4, survey_id=SURVEY.id, service_id="coaching",
                            status="cancelled", step=1, answers={}))
    await session.commit()


def test_nps_definition():
    assert nps_counts([10, 9, 8, 7, 6, 0]) == (0, 2, 2, 2)
    assert nps_counts([10, 10]) == (100, 2, 0, 0)
    assert nps_counts([]) == (None, 0, 0, 0)


async def test_report_numbers(session):
    await seed(session)
    report = await feedback_report(session, SURVEY, ["coaching"])
    assert (report.responses, report.started, report.completed) == (3, 5, 3)
    assert (report.abandoned, report.cancelled, report.completion_rate) == (1, 1, 0.6)
    q = {s.id: s for s in report.questions}
    assert q["overall"].average == 3.33 and q["overall"].distribution == {
        "1": 0, "2": 1, "3": 1, "4": 0, "5": 1}
    assert (q["overall"].reached, q["overall"].dropped) == (5, 1)
    assert (q["expectations"].reached, q["expectations"].dropped) == (4, 1)
    assert q["overall"].drop_off == 0.2
    assert (q["recommend"].nps, q["recommend"].promoters, q["recommend"].passives,
            q["recommend"].detractors) == (0, 1, 1, 1)
    assert q["benefits"].distribution == {"contacts": 2, "project": 1}
    assert q["expectations"].distribution == {"above": 1, "met": 1, "below": 1}
    assert [c.text for c in report.comments] == ["Too short", "Très utile, merci"]


async def test_export_csv_and_xlsx(session):
    await seed(session)
    table = await export_table(session, dict(KB.surveys), dict(KB.services), "coaching")
    assert table.columns[:3] == ["response_id", "submitted_at", "service_id"]
    assert table.columns[11:] == [q.id for q in SURVEY.questions]
    data = to_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == table.columns and len(rows) == 4
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["org_name"] == "Firm 1" and first["overall"] == "5"
    assert first["benefits"] == "contacts; project" and first["comment"] == "Très utile, merci"
    assert first["service"] == "Internationalisation coaching" and first["why_not"] == ""
    book = load_workbook(io.BytesIO(to_xlsx(table)))
    sheet = book["responses"]
    assert [c.value for c in sheet[1]] == table.columns and sheet.max_row == 4
    empty = await export_table(session, dict(KB.surveys), dict(KB.services), "matching")
    assert empty.rows == [] and empty.columns[:11] == table.columns[:11]


def test_chart_is_a_png():
    png = distribution_chart([ChartSeries("A", {"1": 0, "5": 2}, {"0": 1, "10": 3})],
                             "ratings", "NPS")
    assert png.startswith(b"\x89PNG") and len(png) > 1000


def test_exported_text_never_runs_as_a_formula():
    from bot.services.feedback_export import Table

    table = Table(["a", "b"], [['=HYPERLINK("http://x","y")', "+1"], ["plain", 5]])
    assert b"'=HYPERLINK" in to_csv(table)
    sheet = load_workbook(io.BytesIO(to_xlsx(table)))["responses"]
    assert sheet["A2"].value == '\'=HYPERLINK("http://x","y")' and sheet["A2"].data_type == "s"
    assert sheet["B3"].value == 5
