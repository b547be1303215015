"""When a subscription's next digest is due, in the subscriber's own time zone.

Times are computed in local wall-clock time and converted to UTC, so "Monday 09:00" stays
09:00 across daylight-saving changes. `next_due` always returns a moment strictly after
`after`: a digest missed while the bot was down is therefore sent once when it comes back
(the caller finds `next_due_at <= now`), and the schedule then jumps past every missed
period instead of sending one digest per period. On the days the clocks change, a time that
does not exist (02:30 when they spring forward) is sent an hour later, and a time that happens
twice (02:30 when they fall back) only the first time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY)
STAFF_ONLY_FREQUENCIES = (DAILY,)
# The partner countries' zones (Italy, France, Germany, Austria, Slovenia, Switzerland).
PARTNER_TIMEZONES = (
    "Europe/Rome", "Europe/Paris", "Europe/Berlin", "Europe/Vienna", "Europe/Ljubljana",
    "Europe/Zurich",
)
FIRST_DIGEST_DAYS = 30
_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


def valid_timezone(name: str) -> str | None:
    """The IANA name if it is one (e.g. Europe/Vienna), else None."""
    name = name.strip()
    if not name or len(name) > 64 or ("/" not in name and name != "UTC"):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def parse_time(text: str) -> tuple[int, int] | None:
    """'09:30', '9.30' or '9h30' as (hour, minute); None when it is not a time of day."""
    match = _TIME_RE.match(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def next_due(
    frequency: str, weekday: int, hour: int, minute: int, tz_name: str, after: datetime
) -> datetime:
    """The first delivery moment (UTC) strictly after `after` for this schedule."""
    tz = ZoneInfo(tz_name)
    after_utc = after.astimezone(UTC)
    day = after.astimezone(tz).date()
    for _ in range(70):  # a monthly schedule is found within about two months
        if _is_delivery_day(frequency, weekday, day):
            # Compared in UTC: two datetimes sharing one tzinfo compare by wall-clock time
            # and ignore `fold`, so in the hour repeated when clocks go back a moment already
            # past looked later than `after` (a digest every minute), and after the
            # spring-forward gap a time inside the gap looked earlier (a digest skipped).
            moment = datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)
            if moment > after_utc:
                return moment
        day += timedelta(days=1)
    raise ValueError(f"no delivery day for {frequency} {weekday}")  # pragma: no cover


def _is_delivery_day(frequency: str, weekday: int, day: date) -> bool:
    if frequency == DAILY:
        return True
    if day.weekday() != weekday:
        return False
    return frequency == WEEKLY or day.day <= 7  # monthly: the first such weekday


def period_start(last_digest_at: datetime | None, now: datetime) -> datetime:
    """What a digest covers: since the last one, or the last 30 days for a first digest."""
    return last_digest_at or now - timedelta(days=FIRST_DIGEST_DAYS)
