"""Old data is called old: past OLD_DATA_DAYS since the newest announcement held, the
feeds' description and /api/health say so and when the last refresh ran, instead of
explaining the gap as a weekend or a rebuild arXiv has not done yet.

The store is a real SQLite file holding one synthetic day (tests.support.seed); the
clock is the app's own, passed to its Service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from core.feeds.channel import OLD_DATA_DAYS, channel_description, data_age, old_data_note
from core.models import Manifest
from core.rank.query import parse_query
from tests.support.app_client import app_clients
from tests.support.papers import paper
from tests.support.seed import publish_days, scored_day, seed_config

CONFIG = seed_config()
ANNOUNCED = "2026-07-16"
REFRESHED = "2026-09-23T05:15:00Z"
SIXTY_NINE_DAYS_LATER = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)  # 12:00 EDT on 2026-09-23


def manifest(status="unchanged", announced=ANNOUNCED) -> Manifest:
    record = {
        "status": status,
        "detail": "arXiv has not rebuilt today's feed yet (same batch as the last refresh)",
        "announced": announced,
        "checked_at": REFRESHED,
    }
    return Manifest(
        version="v1",
        published_at=REFRESHED,
        categories={c: dict(record) for c in CONFIG.categories},
        report={"finished_at": REFRESHED},
    )


def test_a_69_day_old_announcement_is_old_with_its_date_and_the_last_refresh():
    age = data_age(manifest(), SIXTY_NINE_DAYS_LATER)
    assert (age.newest, age.days, age.old, age.last_refresh) == (ANNOUNCED, 69, True, REFRESHED)
    assert old_data_note(manifest(), SIXTY_NINE_DAYS_LATER) == (
        "This data is old: the newest announcement held is of 2026-07-16, 69 days ago; "
        "the last refresh ran at 2026-09-23 05:15 UTC."
    )


@pytest.mark.parametrize("days, old", [(0, False), (3, False), (OLD_DATA_DAYS, False), (OLD_DATA_DAYS + 1, True)])
def test_data_is_old_only_past_the_documented_age(days, old):
    announced = (SIXTY_NINE_DAYS_LATER.date() - timedelta(days=days)).isoformat()
    assert data_age(manifest(announced=announced), SIXTY_NINE_DAYS_LATER).old is old
    assert bool(old_data_note(manifest(announced=announced), SIXTY_NINE_DAYS_LATER)) is old


def test_data_never_refreshed_is_not_called_old():
    assert old_data_note(Manifest(), SIXTY_NINE_DAYS_LATER) == ""


@pytest.mark.parametrize("status", ["unchanged", "no-announcement"])
def test_the_description_of_old_data_says_it_is_old_not_that_arxiv_is_late(status):
    query = parse_query({}, CONFIG)
    text = channel_description(manifest(status), query, [ANNOUNCED], False, now=SIXTY_NINE_DAYS_LATER)
    assert "This data is old" in text and "2026-09-23 05:15 UTC" in text
    assert "has not published a newer" not in text and "rebuilt" not in text and "weekend" not in text
    assert "no newer announcement found, checked 2026-09-23 05:15 UTC; latest announcement 2026-07-16" in text


def test_recent_data_keeps_the_usual_explanation():
    query = parse_query({}, CONFIG)
    now = datetime(2026, 7, 17, 16, 0, tzinfo=UTC)
    text = channel_description(manifest(), query, [ANNOUNCED], False, now=now)
    assert "This data is old" not in text and "arXiv has not published a newer announcement yet" in text


# Through the app ---------------------------------------------------------------------------------


def publish_old(store, config):
    day = scored_day(ANNOUNCED, [paper("2607.00001", title="LLM inference", announced=ANNOUNCED)], config)
    publish_days(store, config, [day], status="unchanged", detail="arXiv has not rebuilt today's feed yet")


@pytest.fixture
def make(tmp_path):
    with app_clients(tmp_path, CONFIG, SIXTY_NINE_DAYS_LATER) as make:
        yield make


def test_the_feed_of_old_data_says_so(make):
    client, _ = make(seed=publish_old)
    feed = feedparser.parse(client.get("/feed", params={"format": "atom"}).content)
    assert "This data is old: the newest announcement held is of 2026-07-16" in feed.feed.subtitle
    assert "has not published a newer" not in feed.feed.subtitle


def test_the_age_in_the_feed_text_is_part_of_its_etag(make):
    client, service = make(seed=publish_old)
    first = client.get("/feed")
    service.clock = lambda: SIXTY_NINE_DAYS_LATER + timedelta(days=1)  # the Service's own clock, a day on
    second = client.get("/feed", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert b"69 days ago" in first.content and b"70 days ago" in second.content
    assert first.headers["etag"] != second.headers["etag"]


def test_health_reports_old_data(make):
    client, _ = make(seed=publish_old)
    response = client.get("/api/health")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "old-data"
    assert body["freshness"] == {
        "newest_announcement": ANNOUNCED,
        "age_days": 69,
        "old_after_days": OLD_DATA_DAYS,
        "old": True,
        "last_refresh": "2026-07-16T05:15:00Z",
        "message": "This data is old: the newest announcement held is of 2026-07-16, 69 days ago; "
        "the last refresh ran at 2026-07-16 05:15 UTC.",
    }


def test_health_of_fresh_data_is_ok(make):
    client, _ = make(clock=datetime(2026, 9, 23, 16, 0, tzinfo=UTC))
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["freshness"]["old"] is False and body["freshness"]["message"] == ""
