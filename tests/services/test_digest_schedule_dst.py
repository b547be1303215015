"""Digest schedules on the days the clocks change (Europe/Rome, 2026): the next digest is
always after the given moment, and each due day gets exactly one digest, also when the time
of day is in the hour repeated in autumn or in the hour skipped in spring."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db.digest import DigestSubscription
from bot.handlers import digest
from bot.services import subscriptions
from bot.services.digest_schedule import DAILY, WEEKLY, next_due
from tests.conftest import make_settings
from tests.services.test_digest_support import FakeClock, fake_limiter, make_knowledge

ROME = ZoneInfo("Europe/Rome")
FALL_BACK = date(2026, 10, 25)  # 03:00 CEST -> 02:00 CET, at 01:00 UTC
SPRING_FORWARD = date(2026, 3, 29)  # 02:00 CET -> 03:00 CEST, at 01:00 UTC
SUNDAY = 6
TIMES = [(h, m) for h in (0, 1, 2, 3, 4) for m in (0, 30, 59)]


def _minutes(start: datetime, end: datetime):  # type: ignore[no-untyped-def]
    moment = start
    while moment < end:
        yield moment
        moment += timedelta(minutes=1)


@pytest.mark.parametrize("day", [FALL_BACK, SPRING_FORWARD], ids=["fall-back", "spring-forward"])
@pytest.mark.parametrize("frequency", [DAILY, WEEKLY])
def test_next_due_is_always_strictly_later(day, frequency):
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) - timedelta(hours=3)
    for hour, minute in TIMES:
        for after in _minutes(start, start + timedelta(hours=8)):
            due = next_due(frequency, SUNDAY, hour, minute, "Europe/Rome", after)
            assert due > after, (hour, minute, after, due)


@pytest.mark.parametrize("day", [FALL_BACK, SPRING_FORWARD], ids=["fall-back", "spring-forward"])
@pytest.mark.parametrize("frequency", [DAILY, WEEKLY])
def test_each_due_day_gets_one_digest(day, frequency):
    """Ticks every minute from two days before to two days after, rescheduling after each
    digest as a run does: one digest per due local day, at the local time or, when that does
    not exist (spring forward), an hour later."""
    start = datetime.combine(day - timedelta(days=2), datetime.min.time(), tzinfo=ROME)
    end = datetime.combine(day + timedelta(days=2), datetime.min.time(), tzinfo=ROME)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    for hour, minute in TIMES:
        due = next_due(frequency, SUNDAY, hour, minute, "Europe/Rome", start - timedelta(minutes=1))
        sent = []
        for now in _minutes(start, end):
            if due <= now:
                sent.append(now)
                due = next_due(frequency, SUNDAY, hour, minute, "Europe/Rome", now)
        per_day = Counter(moment.astimezone(ROME).date() for moment in sent)
        due_days = [day + timedelta(days=d) for d in range(-2, 2)] if frequency == DAILY else [day]
        assert per_day == Counter(due_days), (hour, minute, sent)
        for moment in sent:
            local = moment.astimezone(ROME)
            skipped = (hour, minute) not in {(local.hour, local.minute)}
            assert not skipped or (local.date() == SPRING_FORWARD and hour == 2
                                   and (local.hour, local.minute) == (3, minute)), (hour, local)


@pytest.mark.parametrize("day", [FALL_BACK, SPRING_FORWARD], ids=["fall-back", "spring-forward"])
def test_rescheduling_before_the_day_s_digest_keeps_it(day):
    """A settings change (which reschedules) at any minute before that day's digest, also
    after the skipped hour, leaves the digest due that day."""
    for hour, minute in TIMES:
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)
        due_that_day = local.astimezone(UTC)  # a time in the skipped hour: an hour later
        for after in _minutes(due_that_day - timedelta(hours=6), due_that_day):
            due = next_due(WEEKLY, SUNDAY, hour, minute, "Europe/Rome", after)
            assert due == due_that_day, (hour, minute, after, due)


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    return make_settings(db_url, knowledge_dir=make_knowledge(tmp_path))


async def test_a_digest_in_the_repeated_hour_is_sent_once_not_every_minute(harness, monkeypatch):
    monkeypatch.setattr(subscriptions, "utcnow", lambda: datetime(2026, 10, 20, 12, tzinfo=UTC))
    digest._state(harness.app).limiter = fake_limiter(FakeClock())
    await harness.ask("/subscribe")
    async with harness.runtime.sessionmaker() as s:
        sub = await s.scalar(select(DigestSubscription))
    await harness.press(f"sub:{sub.id}:day:{SUNDAY}")
    await harness.ask("/subscription time 02:30")
    await harness.press(f"sub:{sub.id}:empty")  # a digest even when nothing is new
    # The bot comes back (or its tick runs late) at 02:05 CET, after the first 02:30 (CEST).
    back = datetime(2026, 10, 25, 1, 5, tzinfo=UTC)
    for now in _minutes(back, back + timedelta(minutes=90)):
        await digest.check_due(harness.app, now=now)
    digests = [c for c in harness.api.sent("sendMessage") if "what is new" in c.text]
    assert len(digests) == 1
    async with harness.runtime.sessionmaker() as s:
        sub = await s.scalar(select(DigestSubscription))
    assert sub.next_due_at.replace(tzinfo=UTC) == datetime(2026, 11, 1, 1, 30, tzinfo=UTC)
