"""Curator reports computed from known data."""

from __future__ import annotations

from datetime import timedelta

from bot.db.models import AnswerFeedback, Question, User, utcnow
from bot.services.gaps import gaps_report, group_questions
from bot.services.stats import usage_stats


def test_grouping_near_duplicates():
    rows = [("How to find partners?", "no_match"), ("how do I find partners", "no_match"),
            ("find partner", "no_match"), ("tax rules in Italy", "no_match")]
    groups = group_questions(rows)
    assert [(g.text, g.count) for g in groups] == [("How to find partners?", 3),
                                                   ("tax rules in Italy", 1)]
    assert groups[0].text == "How to find partners?"
    assert "how do I find partners" in groups[0].variants


async def _seed(session):
    now = utcnow()
    session.add(User(id=1, role="user", first_seen=now, last_seen=now))
    session.add(User(id=2, role="user", first_seen=now - timedelta(days=90),
                     last_seen=now - timedelta(days=60)))
    await session.flush()
    rows = [
        Question(id=1, user_id=1, text="what is edp", language="en", status="answered",
                 entry_id="edp", score=0.9, asked_at=now),
        Question(id=2, user_id=1, text="what is erdf", language="en", status="answered",
                 entry_id="erdf", score=0.9, asked_at=now),
        Question(id=3, user_id=1, text="pasta", language="en", status="no_match", asked_at=now),
        Question(id=4, user_id=1, text="label", language="en", status="ambiguous", score=0.5,
                 resolved_entry_id="cluster-label-gold", asked_at=now),
        Question(id=5, user_id=1, text="old question", language="en", status="no_match",
                 asked_at=now - timedelta(days=40)),
        Question(id=6, user_id=1, text="inline", language="en", status="no_match",
                 source="inline", asked_at=now),
    ]
    session.add_all(rows)
    await session.flush()
    session.add_all([
        AnswerFeedback(question_id=1, entry_id="edp", helpful=True),
        AnswerFeedback(question_id=2, entry_id="erdf", helpful=False),
    ])
    await session.commit()


async def test_stats_on_known_data(session):
    await _seed(session)
    stats = await usage_stats(session, days=30)
    assert (stats.questions, stats.answered, stats.ambiguous, stats.no_match) == (4, 2, 1, 1)
    assert stats.resolved == 1 and stats.answer_rate == 0.75
    assert (stats.votes, stats.helpful, stats.helpful_rate) == (2, 1, 0.5)
    assert (stats.users, stats.active_users) == (2, 1)
    assert (await usage_stats(session, days=365)).questions == 5


async def test_gaps_on_known_data(session):
    await _seed(session)
    report = await gaps_report(session, days=30)
    assert [(g.text, g.reason, g.count) for g in report.groups] == [
        ("pasta", "no_match", 1), ("what is erdf", "unhelpful", 1)]
    assert [(p.entry_id, p.texts) for p in report.phrasings] == [("cluster-label-gold", ("label",))]


async def test_empty_database(session):
    stats = await usage_stats(session)
    assert stats.questions == 0 and stats.answer_rate is None and stats.helpful_rate is None
    report = await gaps_report(session)
    assert report.groups == () and report.phrasings == ()
