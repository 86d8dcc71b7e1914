"""arXiv's announcement calendar, and the one clock the project reads.

arXiv announces Sunday–Thursday at 20:00 US Eastern; the listing (and the RSS
feed rebuilt at midnight Eastern) is dated the following day, so announcement
dates fall Monday–Friday. Submissions close at 14:00 Eastern on weekdays.
Holidays are not modelled: a holiday simply yields an empty feed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
SUBMISSION_DEADLINE = time(14, 0)
FEED_REBUILD = time(0, 0)


def now() -> datetime:
    """The current time, timezone-aware UTC. Tests pass their own clock instead."""
    return datetime.now(UTC)


def parse_instant(iso: str) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime (naive times count as UTC); None when
    empty or unreadable."""
    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def iso_utc(t: datetime) -> str:
    """An aware time as the ISO 8601 UTC text the store keeps: `2026-09-24T05:15:00Z`."""
    return (t.astimezone(UTC) if t.tzinfo else t).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_iso_date(text: str) -> bool:
    """Whether `text` is a calendar date written `YYYY-MM-DD`."""
    try:
        return len(text) == 10 and bool(date.fromisoformat(text))
    except (TypeError, ValueError):
        return False


def announcement_for_submission(submitted: datetime) -> date:
    """The announcement (listing) date of a paper first submitted at `submitted`."""
    t = submitted.astimezone(EASTERN)
    day = t.date()
    if t.time() >= SUBMISSION_DEADLINE or day.weekday() >= 5:
        day = _next_weekday(day + timedelta(days=1)) if t.time() >= SUBMISSION_DEADLINE else _next_weekday(day)
    # Deadline `day` (Mon–Fri) is announced that evening, listed the next weekday.
    return _next_weekday(day + timedelta(days=1))


def latest_announcement(at: datetime) -> date:
    """The date of the newest announcement whose feed has been rebuilt by `at`."""
    day = at.astimezone(EASTERN).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def next_rebuild(at: datetime) -> datetime:
    """The next midnight Eastern at which arXiv rebuilds a weekday feed, in UTC."""
    day = at.astimezone(EASTERN).date() + timedelta(days=1)
    day = _next_weekday(day)
    return datetime.combine(day, FEED_REBUILD, tzinfo=EASTERN).astimezone(UTC)


def announcement_days(until: date, count: int) -> list[date]:
    """The `count` weekday announcement dates ending at `until`, newest first."""
    days, day = [], until
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


def _next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
