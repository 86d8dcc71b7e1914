"""The refresh pipeline end to end: a real loopback arXiv, the real client, a SQLite store."""

from datetime import UTC, datetime

import pytest

from core.config import parse_config
from core.errors import RefreshRunning
from core.ingest.client import ArxivClient
from core.refresh.pipeline import run_refresh
from core.store.layout import read_manifest
from core.store.publish import refresh_lock
from core.store.reader import Reader
from tests.conftest import local_fixture, shared_fixture

COMBINED = "rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_trimmed_4_items.xml"
CONFIG = parse_config(
    {
        "categories": ["cs.LG", "cs.AI", "cs.CL", "stat.ML"],
        "keywords": ["learning", "anomaly", "outlier", "polytope"],
        "exclude_keywords": ["survey"],
        "include_types": ["new", "cross"],
    }
)
THURSDAY = datetime(2026, 9, 24, 12, 0, tzinfo=UTC)


def refresh(arxiv, store, config=CONFIG, at=THURSDAY, **kw):
    with ArxivClient(arxiv.env(), "team@example.org", max_attempts=2, sleep=lambda s: None, timeout=2) as client:
        return run_refresh(config, store, client, clock=lambda: at, **kw)


def test_a_refresh_stores_the_announcement_scored_and_reports_each_category(arxiv, store):
    arxiv.route("/rss/", shared_fixture(COMBINED))
    report = refresh(arxiv, store)
    assert arxiv.paths() == ["/rss/cs.LG+cs.AI+cs.CL+stat.ML"]  # one request for every category
    assert report["status"] == "updated" and report["announced"] == "2026-09-24"
    assert (report["fetched"], report["papers"], report["skipped"]) == (4, 4, 0)
    manifest = read_manifest(store)
    assert [d.date for d in manifest.days] == ["2026-09-24"]
    [day] = Reader(store).days(manifest, 1)
    by_id = {s.paper.id: s for s in day.papers}
    assert set(by_id) == {"2609.26811", "2609.26820", "2205.06398", "2009.13987"}
    assert by_id["2205.06398"].paper.announce_type == "cross"
    assert "outlier" in by_id["2205.06398"].matched_keywords
    lg = manifest.categories["cs.LG"]
    assert (lg["status"], lg["papers"], lg["new"], lg["announced"]) == ("updated", 3, 2, "2026-09-24")
    assert manifest.categories["cs.CL"]["status"] == "stale"  # listed nothing while the others did
    assert manifest.categories["stat.ML"]["papers"] == 2
    # matched counts only new+cross papers that match: 2609.26811 (learning), 2609.26820 (anomaly),
    # 2205.06398 (outlier); the replace item (polytope) is not counted.
    assert report["matched"] == 3


def test_the_same_batch_later_the_same_day_keeps_the_day_current(arxiv, store):
    arxiv.route("/rss/", shared_fixture(COMBINED))
    refresh(arxiv, store)
    first = read_manifest(store)
    report = refresh(arxiv, store, at=datetime(2026, 9, 24, 20, tzinfo=UTC))
    second = read_manifest(store)
    assert report["status"] == "unchanged" and "already holds the latest announcement" in report["detail"]
    assert second.days == first.days and second.categories == first.categories
    assert second.status == "updated"


def test_the_same_batch_after_the_next_rebuild_is_unchanged_arxiv_is_late(arxiv, store):
    arxiv.route("/rss/", shared_fixture(COMBINED))
    refresh(arxiv, store)
    first = read_manifest(store)
    friday_after_midnight_eastern = datetime(2026, 9, 25, 5, 15, tzinfo=UTC)
    report = refresh(arxiv, store, at=friday_after_midnight_eastern)
    second = read_manifest(store)
    assert report["status"] == second.status == "unchanged"
    assert second.days == first.days and second.version != first.version
    assert second.categories["cs.LG"]["detail"].startswith("arXiv has not rebuilt")
    assert second.categories["cs.LG"]["papers"] == 3  # the last counts stay visible


def test_an_empty_weekend_feed_is_no_announcement_and_keeps_the_last_day(arxiv, store):
    arxiv.route("/rss/", shared_fixture(COMBINED))
    refresh(arxiv, store)
    arxiv.route("/rss/", local_fixture("synthetic_rss_empty_weekend.xml"))
    report = refresh(arxiv, store, at=datetime(2026, 9, 26, 12, tzinfo=UTC))
    manifest = read_manifest(store)
    assert report["status"] == "no-announcement" and report["fetched"] == 0
    assert [d.date for d in manifest.days] == ["2026-09-24"]
    assert manifest.categories["cs.AI"]["status"] == "no-announcement"
    assert manifest.categories["cs.AI"]["papers"] == 1  # the last counts stay visible


def test_an_arxiv_outage_is_reported_with_its_start_and_the_old_data_stays(arxiv, store):
    arxiv.route("/rss/", shared_fixture(COMBINED))
    refresh(arxiv, store)
    arxiv.route("/rss/", b"busy", status=503)
    first = refresh(arxiv, store, at=datetime(2026, 9, 25, 5, tzinfo=UTC))
    second = refresh(arxiv, store, at=datetime(2026, 9, 25, 6, tzinfo=UTC))
    manifest = read_manifest(store)
    assert first["status"] == second["status"] == "upstream-error"
    assert "HTTP 503" in second["error"] and "\n" not in second["error"]
    assert manifest.categories["cs.LG"]["since"] == "2026-09-25T05:00:00Z"
    assert [d.date for d in manifest.days] == ["2026-09-24"]


def test_a_malformed_item_is_skipped_and_counted_not_fatal(arxiv, store):
    arxiv.route("/rss/", local_fixture("synthetic_rss_one_malformed_item.xml"))
    report = refresh(arxiv, store, at=datetime(2026, 9, 30, 12, tzinfo=UTC))  # the fixture's own day
    assert report["skipped"] == 1 and report["papers"] >= 1 and report["status"] == "updated"


def test_a_refresh_while_another_holds_the_lock_is_refused(arxiv, store):
    arxiv.route("/rss/", shared_fixture(COMBINED))
    with refresh_lock(store, ttl=60), pytest.raises(RefreshRunning):
        refresh(arxiv, store)
    assert arxiv.requests == []


def test_backfill_fills_missed_days_from_the_query_api(arxiv, store):
    arxiv.route("/rss/", local_fixture("synthetic_rss_empty_weekend.xml"))
    arxiv.route("/api/query", shared_fixture("api_2026-04-30_search_cat_cs.LG_OR_cs.AI_max20.xml"))
    config = parse_config({"categories": ["cs.LG", "cs.AI"], "keywords": []})
    report = refresh(arxiv, store, config=config, at=datetime(2026, 4, 30, 20, tzinfo=UTC), backfill_days=2)
    assert report["backfill"]["missing_days"] == ["2026-04-30", "2026-04-29"]
    query = [p for p in arxiv.paths() if p.startswith("/api/query")][0]
    assert "submittedDate" in query and "cat%3Acs.LG" in query
    manifest = read_manifest(store)
    # Submitted Wednesday 29 April before 14:00 Eastern: listed Thursday 30 April.
    assert [d.date for d in manifest.days] == ["2026-04-30"]
    assert manifest.days[0].count == report["backfill"]["papers"] > 0
