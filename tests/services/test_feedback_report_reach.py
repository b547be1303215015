"""Report figures for questions shown only after some answers (show_if), and rounding."""

from __future__ import annotations

from bot.db.feedback import FeedbackAnswer, FeedbackResponse, SurveyDraft
from bot.db.models import User, utcnow
from bot.services.feedback_report import feedback_report, nps_counts
from tests.services.test_feedback_report import SURVEY

WHY_NOT = 5  # index of "why_not", shown only after continue = no


async def _user(session, uid):  # type: ignore[no-untyped-def]
    now = utcnow()
    session.add(User(id=uid, role="user", first_seen=now, last_seen=now))
    await session.flush()


async def _submitted(session, uid, again: str, anonymous=False):  # type: ignore[no-untyped-def]
    await _user(session, uid)
    response = FeedbackResponse(user_id=None if anonymous else uid, survey_id=SURVEY.id,
                                service_id="coaching", round=1, language="en",
                                anonymous=anonymous)
    session.add(response)
    await session.flush()
    session.add_all([
        FeedbackAnswer(response_id=response.id, question_id="overall", number=4),
        FeedbackAnswer(response_id=response.id, question_id="continue", text=again),
        SurveyDraft(user_id=None if anonymous else uid, survey_id=SURVEY.id,
                    service_id="coaching", status="submitted", step=7,
                    answers={} if anonymous else {"overall": 4, "continue": again}),
    ])


async def test_hidden_question_is_reached_only_where_it_was_shown(session):
    await _submitted(session, 1, "yes")
    await _submitted(session, 2, "yes", anonymous=True)  # its draft keeps no answers
    await _submitted(session, 3, "no", anonymous=True)
    await _user(session, 4)
    session.add_all([
        # went past "continue" with yes: never saw why_not
        SurveyDraft(user_id=4, survey_id=SURVEY.id, service_id="coaching", status="abandoned",
                    step=7, answers={"overall": 2, "continue": "yes"}),
        # stopped at why_not
        SurveyDraft(user_id=4, survey_id=SURVEY.id, service_id="coaching", status="cancelled",
                    step=WHY_NOT + 1, answers={"overall": 2, "continue": "no"}),
        # went past why_not after answering no
        SurveyDraft(user_id=4, survey_id=SURVEY.id, service_id="coaching", status="draft",
                    step=7, answers={"overall": 2, "continue": "no", "why_not": "price"}),
    ])
    await session.commit()
    report = await feedback_report(session, SURVEY, ["coaching"])
    q = {s.id: s for s in report.questions}
    assert (q["why_not"].reached, q["why_not"].dropped) == (3, 1)
    assert q["why_not"].drop_off is not None and q["why_not"].drop_off_percent == 33
    assert q["comment"].reached == 5 and q["continue"].reached == 6  # no show_if: by step


async def test_hidden_question_never_shown(session):
    for uid in (1, 2, 3):
        await _submitted(session, uid, "yes")
    await session.commit()
    report = await feedback_report(session, SURVEY, ["coaching"])
    q = {s.id: s for s in report.questions}
    assert (q["why_not"].reached, q["why_not"].answered, q["why_not"].drop_off) == (0, 0, None)


async def test_halves_round_up():
    # 2 promoters, 1 detractor in 8: 12.5 -> 13; 5 promoters in 8: 62.5 -> 63
    assert nps_counts([10, 9, 0, 8, 8, 8, 8, 8])[0] == 13
    assert nps_counts([10] * 5 + [8] * 3)[0] == 63
    assert nps_counts([10, 10, 10, 0, 8, 8, 8, 8])[0] == 25


async def test_completion_percent_rounds_half_up(session):
    await _user(session, 1)
    session.add(SurveyDraft(user_id=1, survey_id=SURVEY.id, service_id="coaching",
                            status="submitted", step=7, answers={}))
    for _ in range(7):
        session.add(SurveyDraft(user_id=1, survey_id=SURVEY.id, service_id="coaching",
                                status="abandoned", step=1, answers={}))
    await session.commit()
    report = await feedback_report(session, SURVEY, ["coaching"])
    assert report.completion_rate == 0.125 and report.completion_percent == 13
