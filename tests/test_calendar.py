"""arXiv's calendar: submissions to announcement dates, and when feeds rebuild."""

from datetime import date, datetime

import pytest

from core.calendar import EASTERN, announcement_days, announcement_for_submission, latest_announcement, next_rebuild

CASES = [
    # submitted (Eastern)          listed on
    ("2026-09-22 13:59", "2026-09-23"),  # Tue before the 14:00 deadline -> Tue evening -> Wed
    ("2026-09-22 14:00", "2026-09-24"),  # Tue at the deadline -> Wed evening -> Thu
    ("2026-09-24 09:00", "2026-09-25"),  # Thu -> Thu evening -> Fri
    ("2026-09-25 13:00", "2026-09-28"),  # Fri before deadline -> Sun evening -> Mon
    ("2026-09-25 15:00", "2026-09-29"),  # Fri after deadline -> Mon evening -> Tue
    ("2026-09-26 12:00", "2026-09-29"),  # Saturday -> Mon evening -> Tue
    ("2026-09-27 23:00", "2026-09-29"),  # Sunday night -> Mon evening -> Tue
]


@pytest.mark.parametrize("submitted,listed", CASES)
def test_a_submission_is_listed_on_arxivs_next_announcement(submitted, listed):
    at = datetime.strptime(submitted, "%Y-%m-%d %H:%M").replace(tzinfo=EASTERN)
    assert announcement_for_submission(at).isoformat() == listed


def test_weekends_have_no_announcement_and_fall_back_to_friday():
    saturday = datetime(2026, 9, 26, 12, tzinfo=EASTERN)
    assert latest_announcement(saturday) == date(2026, 9, 25)


def test_the_next_rebuild_is_midnight_eastern_on_a_weekday():
    friday_noon = datetime(2026, 9, 25, 12, tzinfo=EASTERN)
    assert next_rebuild(friday_noon).astimezone(EASTERN) == datetime(2026, 9, 28, 0, tzinfo=EASTERN)


def test_announcement_days_skip_weekends_newest_first():
    days = announcement_days(date(2026, 9, 29), 3)
    assert days == [date(2026, 9, 29), date(2026, 9, 28), date(2026, 9, 25)]
