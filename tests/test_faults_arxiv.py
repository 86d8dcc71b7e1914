"""arXiv faults: every way the announcement feed can fail ends with the right status, the
previous day still served by the app, and no partial publish.

Each test first refreshes a good day (the recorded combined feed of Thursday 2026-09-24)
into a SQLite store, then refreshes again after Friday's rebuild against a loopback arXiv
(tests/support/fake_arxiv.py) scripted with one fault. The client is the real one; only its
sleep is recorded instead of slept, so backoff and Retry-After are checked without waiting.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
from datetime import UTC, datetime

import pytest

from core.config import Env, parse_config
from core.errors import ConfigError
from core.ingest.client import ArxivClient, body_bounds
from core.refresh.pipeline import run_refresh
from core.summaries.fulltext import MAX_HTML_BYTES, MAX_PDF_BYTES, paper_text
from tests.conftest import local_fixture, shared_fixture
from tests.support import tally
from tests.support.papers import paper
from tests.support.published import complete_version, served, served_ids
from tests.support.redis_server import free_port
from tests.support.rss import rss_feed
from tests.support.tls import one_ca_bundle  # noqa: F401  (autouse: no CA bundle to load)

COMBINED = "rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_trimmed_4_items.xml"
CONFIG = parse_config(
    {
        "categories": ["cs.LG", "cs.AI", "stat.ML"],
        "keywords": ["learning", "anomaly", "outlier"],
    }
)
THURSDAY = datetime(2026, 9, 24, 12, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 9, 25, 5, 15, tzinfo=UTC)  # after Friday's midnight-Eastern rebuild
GOOD_IDS = {"2609.26811", "2609.26820", "2205.06398", "2009.13987"}
ATTEMPTS = 3


class Run:
    """A refresh through the real client; `sleeps` holds every wait the client asked for."""

    def __init__(self, arxiv, store):
        self.arxiv, self.store, self.sleeps = arxiv, store, []

    def __call__(self, at=FRIDAY, timeout=2.0, **env):
        with ArxivClient(
            self.arxiv.env(**env), max_attempts=ATTEMPTS, sleep=self.sleeps.append, timeout=timeout
        ) as client:
            return run_refresh(CONFIG, self.store, client, clock=lambda: at)


@pytest.fixture
def refresh(arxiv, store):
    """A store holding Thursday's good announcement; then the refresh under test."""
    arxiv.route("/rss/", shared_fixture(COMBINED))
    run = Run(arxiv, store)
    assert run(at=THURSDAY)["status"] == "updated"
    arxiv.requests.clear()
    run.sleeps.clear()
    return run


def assert_previous_day_served(store, status: str):
    """Thursday's papers are what the app serves, from one complete published version."""
    manifest = complete_version(store)
    assert [d.date for d in manifest.days] == ["2026-09-24"]
    assert manifest.status == status
    assert {rec["status"] for rec in manifest.categories.values()} == {status}
    assert served_ids(store, CONFIG) == GOOD_IDS


def assert_upstream_error(report, store, reason: str):
    assert report["status"] == "upstream-error"
    assert reason in report["error"] and "\n" not in report["error"]
    assert_previous_day_served(store, "upstream-error")
    description = served(store, CONFIG)["description"]
    assert "arXiv could not be read since 2026-09-25 05:15 UTC" in description
    assert "earlier data is still served" in description


# Network and HTTP faults -----------------------------------------------------------------------


def test_connection_refused_is_an_upstream_error_and_the_last_day_stays(refresh, store):
    with tally.fault("arXiv: connection refused"):
        report = refresh(arxiv_rss_base=f"http://127.0.0.1:{free_port()}")
        assert_upstream_error(report, store, "cannot connect (refused, or no network)")


def test_a_timeout_is_an_upstream_error_and_the_last_day_stays(refresh, arxiv, store):
    with tally.fault("arXiv: timeout"):
        arxiv.route("/rss/", shared_fixture(COMBINED), delay=1.0)
        report = refresh(timeout=0.2)
        assert_upstream_error(report, store, "timed out (limit 0.2 s)")
        assert len(arxiv.requests) == ATTEMPTS


def test_429_with_retry_after_is_waited_out_and_then_answered(refresh, arxiv, store):
    with tally.fault("arXiv: 429 with Retry-After, then an answer"):
        arxiv.enqueue("/rss/", b"slow down", status=429, headers={"Retry-After": "7"})
        arxiv.route("/rss/", rss_feed([paper("2609.30001", announced="2026-09-25")], "2026-09-25"))
        report = refresh()
        assert report["status"] == "updated" and report["announced"] == "2026-09-25"
        assert any(6.5 <= s <= 7.0 for s in refresh.sleeps)  # the wait arXiv asked for
        assert [d.date for d in complete_version(store).days] == ["2026-09-25", "2026-09-24"]


@pytest.mark.parametrize("headers", [{"Retry-After": "7"}, {}], ids=["with-retry-after", "without-retry-after"])
def test_429_every_time_is_an_upstream_error_after_the_retry_budget(refresh, arxiv, store, headers):
    with tally.fault(f"arXiv: 429 {'with' if headers else 'without'} Retry-After, every time"):
        arxiv.route("/rss/", b"slow down", status=429, headers=headers)
        report = refresh()
        assert_upstream_error(report, store, f"HTTP 429 after {ATTEMPTS} attempts")
        assert len(arxiv.requests) == ATTEMPTS
        waits = [s for s in refresh.sleeps if s > 0]
        assert len(waits) == ATTEMPTS - 1
        if headers:
            assert all(6.5 <= s <= 7.0 for s in waits)
        else:  # exponential backoff with jitter: 2-3 s, then 4-6 s
            assert 2 <= waits[0] <= 3 and 4 <= waits[1] <= 6


def test_a_503_storm_longer_than_the_retry_budget_is_an_upstream_error(refresh, arxiv, store):
    with tally.fault("arXiv: 503 storm beyond the retry budget"):
        arxiv.route("/rss/", b"<html>Service Unavailable</html>", status=503, headers={"Retry-After": "3"})
        report = refresh()
        assert_upstream_error(report, store, f"HTTP 503 after {ATTEMPTS} attempts")
        assert len(arxiv.requests) == ATTEMPTS  # the budget is kept: no fourth request


def test_a_body_cut_off_mid_transfer_is_an_upstream_error(refresh, arxiv, store):
    with tally.fault("arXiv: connection closed mid-body"):
        body = shared_fixture(COMBINED)
        arxiv.route("/rss/", body, truncate=len(body) // 2)
        report = refresh()
        assert_upstream_error(report, store, "connection closed mid-response")


# Bodies that are not the feed ------------------------------------------------------------------

WRONG_BODIES = {
    "truncated XML": (None, "not well-formed XML"),
    "an HTML error page": (b"<html><body><h1>Service Unavailable</h1></body></html>", "wrong shape: root <html>"),
    "RSS without a channel": (b'<rss version="2.0"><item><title>x</title></item></rss>', "<rss> without <channel>"),
    "JSON": (b'{"error": "maintenance"}', "not well-formed XML"),
    "an empty body": (b"", "not well-formed XML"),
    "an RSS feed of something else": (
        b'<rss version="2.0"><channel><title>Blog</title><pubDate>Fri, 25 Sep 2026 00:00:00 -0400</pubDate>'
        b"<item><title>Hello</title><link>https://example.org/hello</link></item>"
        b"<item><title>Again</title><link>https://example.org/again</link></item></channel></rss>",
        "none of its 2 entries could be read",
    ),
}


@pytest.mark.parametrize("kind", list(WRONG_BODIES))
def test_a_body_that_is_not_an_announcement_feed_is_an_upstream_error(refresh, arxiv, store, kind):
    with tally.fault(f"arXiv: {kind}"):
        body, reason = WRONG_BODIES[kind]
        if body is None:
            full = shared_fixture(COMBINED)
            body = full[: len(full) * 2 // 3]  # a complete HTTP response holding two thirds of the XML
        arxiv.route("/rss/", body)
        report = refresh()
        assert_upstream_error(report, store, reason)
        assert len(arxiv.requests) == 1  # a readable answer with bad content is not retried


def test_entries_without_an_announcement_date_are_skipped_not_fatal(refresh, arxiv, store):
    with tally.fault("arXiv: entries without a date"):
        undated = [paper(f"2609.3000{i}", announced="") for i in range(3)]
        dated = paper("2609.30009", announced="2026-09-25")
        arxiv.route("/rss/", rss_feed([*undated, dated], day=""))
        report = refresh()
        assert report["status"] == "updated" and report["skipped"] == 3
        manifest = complete_version(store)
        assert [d.date for d in manifest.days] == ["2026-09-25", "2026-09-24"]
        assert served_ids(store, CONFIG) == GOOD_IDS | {"2609.30009"}


def test_a_feed_of_undated_entries_only_is_an_upstream_error(refresh, arxiv, store):
    with tally.fault("arXiv: only undated entries"):
        arxiv.route("/rss/", rss_feed([paper(f"2609.3000{i}", announced="") for i in range(3)], day=""))
        report = refresh()
        assert_upstream_error(report, store, "none of its 3 entries could be read")


def test_an_entry_dated_in_the_future_cannot_push_the_stored_days_out(refresh, arxiv, store):
    with tally.fault("arXiv: an entry dated years ahead"):
        future = paper("2609.30001", announced="2099-09-25")
        today = paper("2609.30002", announced="2026-09-25")
        arxiv.route("/rss/", rss_feed([future, today], "2026-09-25"))
        report = refresh()
        assert report["status"] == "updated" and report["skipped"] == 1
        assert [d.date for d in complete_version(store).days] == ["2026-09-25", "2026-09-24"]


# Feeds that are fine but bring nothing new ----------------------------------------------------


def test_the_same_batch_as_yesterday_is_unchanged_and_keeps_the_day(refresh, arxiv, store):
    with tally.fault("arXiv: the same batch as yesterday"):
        before = complete_version(store)
        report = refresh()
        after = complete_version(store)
        assert report["status"] == "unchanged"
        assert after.days == before.days and after.batch == before.batch
        assert_previous_day_served(store, "unchanged")
        assert "has not published a newer announcement yet" in served(store, CONFIG)["description"]


def test_an_empty_weekend_feed_is_no_announcement_and_keeps_the_day(refresh, arxiv, store):
    with tally.fault("arXiv: empty weekend feed"):
        arxiv.route("/rss/", local_fixture("synthetic_rss_empty_weekend.xml"))
        report = refresh(at=datetime(2026, 9, 26, 12, tzinfo=UTC))
        assert report["status"] == "no-announcement" and report["fetched"] == 0
        assert_previous_day_served(store, "no-announcement")


def test_a_category_without_papers_in_a_combined_feed_is_reported_stale(refresh, arxiv, store):
    """Stale, for a combined feed: the announcement lists papers, but none in this category.
    arXiv announces every category at once, so its feed for that category is behind (or the
    category had a quiet day); its earlier papers stay served and the feed says so."""
    with tally.fault("arXiv: one category stale in the combined feed"):
        fresh = [paper(f"2609.3000{i}", announced="2026-09-25", categories=("cs.LG",)) for i in range(3)]
        behind = paper("2609.30009", announced="2026-09-24", categories=("stat.ML",))  # yesterday's listing
        arxiv.route("/rss/", rss_feed([*fresh, behind], "2026-09-25", CONFIG.categories))
        report = refresh()
        manifest = complete_version(store)
        assert report["status"] == manifest.status == "updated"
        statuses = {cat: rec["status"] for cat, rec in manifest.categories.items()}
        assert statuses == {"cs.LG": "updated", "cs.AI": "stale", "stat.ML": "stale"}
        stat_ml = manifest.categories["stat.ML"]
        assert stat_ml["announced"] == "2026-09-24" and stat_ml["papers"] == 2  # its last good day, kept
        assert "no papers in stat.ML in the announcement of 2026-09-25" in stat_ml["detail"]
        doc = served(store, CONFIG, "/feed/stat.ML?format=json&days=2&types=*&keywords=*")
        assert {i["_arxiv"]["id"] for i in doc["items"]} >= {"2205.06398", "2009.13987"}
        assert "stat.ML: no papers in this category in the announcement of 2026-09-25" in doc["description"]


def test_every_fault_leaves_a_store_the_next_good_refresh_updates(refresh, arxiv, store):
    with tally.fault("arXiv: recovery after an outage"):
        arxiv.route("/rss/", b"busy", status=503)
        assert refresh()["status"] == "upstream-error"
        arxiv.route("/rss/", rss_feed([paper("2609.30001", announced="2026-09-25")], "2026-09-25"))
        report = refresh(at=FRIDAY.replace(hour=6))
        assert report["status"] == "updated"
        manifest = complete_version(store)
        assert all("since" not in rec for rec in manifest.categories.values())
        assert served_ids(store, CONFIG) == GOOD_IDS | {"2609.30001"}


# Slow and huge bodies --------------------------------------------------------------------------


def test_a_body_dripped_a_byte_at_a_time_fails_at_the_deadline_not_the_read_timeout(refresh, arxiv, store):
    """Each byte arrives well within the read timeout, so only a total deadline ends it."""
    with tally.fault("arXiv: a body dripped one byte at a time"):
        arxiv.route("/rss/", shared_fixture(COMBINED), drip=0.1)
        started = time.monotonic()
        report = refresh(secrets={"ARXIV_DEADLINE": "1"})
        took = time.monotonic() - started
        assert_upstream_error(report, store, "arXiv's response took longer than 1 s (ARXIV_DEADLINE)")
        assert took < 2.5  # the deadline, plus one dripped byte; the drip alone would take minutes
        assert len(arxiv.requests) == 1  # not retried: a second try would cost as much again


def test_a_huge_body_is_refused_at_the_cap_with_memory_bounded(refresh, arxiv, store):
    with tally.fault("arXiv: a 200 MB body"):
        arxiv.route("/rss/", b"<rss>", size=200 * 1024 * 1024)
        tracemalloc.start()
        try:
            report = refresh(secrets={"ARXIV_MAX_BODY_MB": "2"})
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert_upstream_error(report, store, "arXiv's response is larger than 2 MB (ARXIV_MAX_BODY_MB)")
        assert peak < 16 * 1024 * 1024  # read in chunks up to the cap, never the 200 MB
        assert len(arxiv.requests) == 1


def test_the_default_bounds_are_far_above_a_real_day_and_a_bad_setting_names_its_variable():
    assert body_bounds(Env()) == (60.0, 50 * 1024 * 1024)
    assert body_bounds(Env(secrets={"ARXIV_DEADLINE": "2.5", "ARXIV_MAX_BODY_MB": "0.5"})) == (2.5, 512 * 1024)
    for var, value in (("ARXIV_DEADLINE", "soon"), ("ARXIV_DEADLINE", "0"), ("ARXIV_MAX_BODY_MB", "-3")):
        with pytest.raises(ConfigError) as caught:
            ArxivClient(Env(secrets={var: value}))
        assert caught.value.key == var


def test_a_huge_full_text_falls_back_to_the_abstract_within_its_cap(arxiv):
    """The summaries' full-text fetches are bounded too (core.summaries.fulltext)."""
    arxiv.route("/html/", b"<p>", size=MAX_HTML_BYTES + 1)
    arxiv.route("/pdf/", b"%PDF-", size=MAX_PDF_BYTES + 1)
    with ArxivClient(arxiv.env(), max_attempts=1, sleep=lambda s: None) as client:
        text = paper_text(client, paper("2609.30001", announced="2026-09-25"), 1000)
    assert text.source == "abstract"
    assert f"larger than {MAX_HTML_BYTES // 2**20} MB" in text.fallback_reason
    assert f"larger than {MAX_PDF_BYTES // 2**20} MB" in text.fallback_reason


def test_a_small_compressed_body_that_inflates_past_the_cap_is_refused(refresh, arxiv, store):
    """The cap counts the bytes after decompression: 20 KB of gzip that would be 64 MB."""
    with tally.fault("arXiv: a gzip bomb"):
        bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
        assert len(bomb) < 100 * 1024
        arxiv.route("/rss/", bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})
        report = refresh(secrets={"ARXIV_MAX_BODY_MB": "2"})
        assert_upstream_error(report, store, "arXiv's response is larger than 2 MB (ARXIV_MAX_BODY_MB)")
