"""The feeds in real feed readers: feedparser, the `reader` library and newsboat, each
subscribed to the app served by uvicorn on loopback (tests.support.live_server).

What a reader shows is what counts, so nothing here reads our XML: every author of a
three-author paper is visible in each reader and each format, and a summary added
after the announcement moves the date a reader keys on to notice the new content.

newsboat is a system package (`apt-get install newsboat`, listed in .ci/run): without it
its tests are skipped with the reason, unless REQUIRE_READERS=1 (CI), which fails them.
newsboat runs non-interactively (`-x reload`) with its own config and cache in the test's
folder; what it shows is read from its sqlite cache (`rss_item.author`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime

import feedparser
import httpx
import pytest

from api.index import app
from tests.support.app_client import app_clients
from tests.support.live_server import live_server
from tests.support.papers import paper
from tests.support.required import missing
from tests.support.seed import publish_days, scored_day, seed_config, summary_record

CONFIG = seed_config()
DAY = "2026-09-23"
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)
AUTHORS = ("Ada Lovelace", "Aurora Ramírez", "Grace Hopper")
PAPER = paper("2609.00001", title="Sparse attention for LLM inference", authors=AUTHORS, announced=DAY)
SOLO = paper("2609.00002", title="RL with human feedback", authors=("Alan Turing",), announced=DAY)
SUMMARY_AT = "2026-09-23T09:30:00Z"  # written after the announcement (midnight US Eastern = 04:00 UTC)
FORMATS = ("rss", "atom", "json")
NEWSBOAT_TIMEOUT_S = 60


def publish(store, config, summaries=None):
    publish_days(store, config, [scored_day(DAY, [PAPER, SOLO], config, summaries)])


@pytest.fixture
def served(tmp_path):
    """(base URL, store) of the app on a store holding PAPER and SOLO, no summaries yet."""
    with app_clients(tmp_path, CONFIG, NOON) as make:
        _, service = make(seed=publish)
        with live_server(app) as base:
            yield base, service.ctx.store


def feed_url(base: str, fmt: str) -> str:
    return f"{base}/feed?format={fmt}&summary=full"


def newsboat_binary() -> str:
    """The newsboat on PATH; skips without it, or fails when REQUIRE_READERS=1 (CI)."""
    path = shutil.which("newsboat")
    if path is None:
        missing("newsboat not installed: apt-get install newsboat", "REQUIRE_READERS")
    return path


def newsboat_authors(tmp_path, url: str) -> dict[str, str]:
    """Reload `url` in newsboat once, without a terminal; its stored author line per item link."""
    home = tmp_path / "newsboat"
    home.mkdir(exist_ok=True)
    (home / "urls").write_text(url + "\n")
    (home / "config").write_text("")
    cache = home / "cache.db"
    cache.unlink(missing_ok=True)  # items are keyed by guid alone: one feed per cache
    urls, config = str(home / "urls"), str(home / "config")
    command = [newsboat_binary(), "-u", urls, "-c", str(cache), "-C", config, "-x", "reload"]
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "XDG_CONFIG_HOME": str(home)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=NEWSBOAT_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(cache) as db:
        return dict(db.execute("SELECT url, author FROM rss_item"))


# Every author, in every reader ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ("rss", "atom"))  # feedparser 6.0 reads no JSON Feed
def test_feedparser_shows_every_author(served, fmt):
    base, _ = served
    feed = feedparser.parse(httpx.get(feed_url(base, fmt)).content)
    assert not feed.bozo, feed.get("bozo_exception")
    authors = {e.link: e.author for e in feed.entries}
    assert authors[PAPER.abs_url] == "Ada Lovelace, Aurora Ramírez, Grace Hopper"
    assert authors[SOLO.abs_url] == "Alan Turing"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_reader_library_shows_every_author(served, tmp_path, fmt):
    from reader import make_reader

    base, _ = served
    with make_reader(str(tmp_path / "reader.sqlite")) as reader:
        reader.add_feed(feed_url(base, fmt))
        reader.update_feeds()
        entries = {e.link: e for e in reader.get_entries()}
    assert entries[PAPER.abs_url].authors_str == "Ada Lovelace, Aurora Ramírez, Grace Hopper"
    assert entries[SOLO.abs_url].authors_str == "Alan Turing"


@pytest.mark.parametrize("fmt", ("rss", "atom"))
def test_newsboat_shows_every_author(served, tmp_path, fmt):
    base, _ = served
    authors = newsboat_authors(tmp_path, feed_url(base, fmt))
    assert authors[PAPER.abs_url] == "Ada Lovelace, Aurora Ramírez, Grace Hopper"
    assert authors[SOLO.abs_url] == "Alan Turing"


# A summary written later is an update ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ("atom", "json"))
def test_a_summary_added_after_the_announcement_is_an_update_in_reader(served, tmp_path, fmt):
    from reader import make_reader

    base, store = served
    with make_reader(str(tmp_path / "reader.sqlite")) as reader:
        reader.add_feed(feed_url(base, fmt))
        reader.update_feeds()
        before = reader.get_entry((feed_url(base, fmt), PAPER.abs_url))
        publish(store, CONFIG, {PAPER.id: {**summary_record(), "created_at": SUMMARY_AT}})
        reader.update_feed(feed_url(base, fmt))  # now, not when its schedule says
        after = reader.get_entry((feed_url(base, fmt), PAPER.abs_url))
    assert before.updated == datetime(2026, 9, 23, 4, 0, tzinfo=UTC)  # midnight US Eastern
    assert after.updated == datetime(2026, 9, 23, 9, 30, tzinfo=UTC)
    assert "AI summary" not in before.get_content().value and "AI summary" in after.get_content().value


def test_the_summary_time_moves_only_the_item_that_has_one(served):
    base, store = served
    publish(store, CONFIG, {PAPER.id: {**summary_record(), "created_at": SUMMARY_AT}})
    items = {i["url"]: i for i in httpx.get(feed_url(base, "json")).json()["items"]}
    assert items[PAPER.abs_url]["date_modified"] == "2026-09-23T09:30:00+00:00"
    assert items[SOLO.abs_url]["date_modified"] == items[SOLO.abs_url]["date_published"]
    without = {i["url"]: i for i in httpx.get(f"{base}/feed?format=json&summary=none").json()["items"]}
    assert without[PAPER.abs_url]["date_modified"] == without[PAPER.abs_url]["date_published"]
