"""Schedules in the subscriber's time zone, daylight saving, missed periods."""

from datetime import UTC, datetime

from bot.services.digest_schedule import next_due, parse_time, valid_timezone


def test_weekly_is_monday_nine_local_time():
    after = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
    due = next_due("weekly", 0, 9, 0, "Europe/Rome", after)
    assert due == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 CET


def test_daylight_saving_keeps_the_local_time():
    summer = next_due("weekly", 0, 9, 0, "Europe/Vienna", datetime(2026, 6, 2, tzinfo=UTC))
    assert summer == datetime(2026, 6, 8, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_next_due_is_strictly_after_and_skips_missed_periods():
    due = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert next_due("weekly", 0, 9, 0, "Europe/Rome", due) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    three_weeks_late = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)
    assert next_due("weekly", 0, 9, 0, "Europe/Rome", three_weeks_late) == datetime(
        2026, 12, 28, 8, 0, tzinfo=UTC)


def test_monthly_is_the_first_such_weekday_and_daily_is_every_day():
    assert next_due("monthly", 0, 9, 0, "Europe/Rome", datetime(2026, 11, 25, tzinfo=UTC)) == (
        datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    assert next_due("daily", 0, 7, 30, "UTC", datetime(2026, 11, 25, 8, tzinfo=UTC)) == (
        datetime(2026, 11, 26, 7, 30, tzinfo=UTC))


def test_time_and_zone_parsing():
    assert parse_time("07:30") == (7, 30) and parse_time("9h05") == (9, 5)
    assert parse_time("25:00") is None and parse_time("noon") is None
    assert valid_timezone("Europe/Ljubljana") == "Europe/Ljubljana"
    assert valid_timezone("Mars/Olympus") is None and valid_timezone("") is None
