"""The HTTP edge through the ASGI app (TestClient): every route and format parsed back,
conditional GET and cache headers, bad input, store outages, health, OPML and cron auth.

The store is a real SQLite file seeded with synthetic papers (tests.support.seed); the
cron path fetches a real recorded arXiv feed from FakeArxiv on loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from api.deps import reset_service
from api.index import app
from api.ops import allow_local_cron
from core.config import Env
from core.store.layout import LOCK_KEY
from tests.conftest import shared_fixture
from tests.support.app_client import app_clients
from tests.support.counting import CountingStore
from tests.support.flaky_store import FlakyStore
from tests.support.fresh import run_seeded
from tests.support.papers import paper
from tests.support.seed import (
    SUMMARY_MARKDOWN,
    publish_days,
    scored_day,
    seed_config,
    seed_store,
    summary_record,
    synthetic_papers,
)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = seed_config()
LATEST = "2026-09-23"  # the newest of seed_store's three days (2026-09-21 .. 23)
SEEDED = {p.id: p for p in synthetic_papers(LATEST, 40, CONFIG, first=2000)}
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)  # 12:00 EDT, twelve hours before the next rebuild
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
RSS_FIXTURE = "rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_trimmed_4_items.xml"
CRON_SECRET = "cron-s3cret-value"
LLM_KEY = "sk-llm-s3cret-value"


@pytest.fixture
def make_client(tmp_path):
    with app_clients(tmp_path, CONFIG, NOON) as make:
        yield make


@pytest.fixture
def client(make_client):
    return make_client()[0]


def parse(response):
    if response.headers["content-type"].startswith("application/feed+json"):
        return json.loads(response.content)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def entries(response) -> list[dict]:
    """Items of any format as (id, title, link, authors, tags, date, html) dicts."""
    doc = parse(response)
    if response.headers["content-type"].startswith("application/feed+json"):
        return [
            {
                "id": i["id"],
                "title": i["title"],
                "link": i["url"],
                "authors": [a["name"] for a in i["authors"]],
                "tags": i["tags"],
                "date": i["date_published"][:10],
                "html": i["content_html"],
            }
            for i in doc["items"]
        ]
    return [
        {
            "id": e.id,
            "title": e.title,
            "link": e.link,
            "authors": e.author.split(", "),  # one name list, as arXiv's own feed sends it
            "tags": [t.term for t in e.tags],
            "date": "{:04d}-{:02d}-{:02d}".format(*e.published_parsed[:3]),
            "html": e.content[0].value,
        }
        for e in doc.entries
    ]


# Every route and format ------------------------------------------------------------------------

ROUTES = ["/feed", "/feed/cs.AI", "/feed/keyword/sparse", "/rss", "/rss/cs.CL"]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
@pytest.mark.parametrize("route", ROUTES)
def test_every_feed_route_serves_every_format_field_by_field(client, route, fmt):
    response = client.get(route, params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPES[fmt]
    items = entries(response)
    assert items
    for item in items:
        p = SEEDED[item["id"].rsplit("/", 1)[1]]
        assert item["id"] == item["link"] == f"https://arxiv.org/abs/{p.id}"
        tags, keywords = item["tags"][: len(p.categories)], item["tags"][len(p.categories) :]
        assert (item["title"], item["authors"], tags) == (p.title, list(p.authors), list(p.categories))
        assert all(k in item["html"] for k in keywords)  # after its categories, the keywords it matched
        assert item["date"] == LATEST
        assert f"https://arxiv.org/pdf/{p.id}v1" in item["html"]


def test_a_category_and_keyword_feed_holds_exactly_the_matching_papers_best_first(client):
    expected = sorted(
        (
            p.id
            for p in SEEDED.values()
            if "Sparse" in p.title and "cs.AI" in p.categories and p.announce_type in ("new", "cross")
        ),
        reverse=True,  # equal scores on one day: the newest paper first
    )
    got = [i["id"].rsplit("/", 1)[1] for i in entries(client.get("/feed/cs.AI?keywords=sparse&format=json"))]
    assert got == expected


def test_the_rss_alias_serves_the_same_bytes_as_the_feed(client):
    assert client.get("/rss/cs.CL").content == client.get("/feed/cs.CL").content


def test_the_keyword_route_matches_that_keyword_across_the_configured_categories(client):
    doc = parse(client.get("/feed/keyword/Sparse?format=json"))
    assert doc["title"] == "arXiv: Sparse"
    assert doc["items"] and all("Sparse" in i["_arxiv"]["matched_keywords"] for i in doc["items"])


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_summaries_appear_sanitised_and_only_when_asked_for(client, fmt):
    full = {i["id"]: i["html"] for i in entries(client.get(f"/feed?format={fmt}"))}
    html = full["https://arxiv.org/abs/2609.02000"]
    assert "<strong>sparse attention</strong>" in html and 'href="https://example.org/code"' in html
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    bare = {i["id"]: i["html"] for i in entries(client.get(f"/feed?format={fmt}&summary=none"))}
    assert "sparse attention</strong>" not in bare["https://arxiv.org/abs/2609.02000"]


def test_several_days_show_each_id_once(client):
    items = entries(client.get("/feed?days=3&types=*&keywords=*&limit=200&format=json"))
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)) > 80
    assert ids.count("https://arxiv.org/abs/2609.00000") == 1  # new on day one, replaced on day two


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_an_empty_result_is_a_valid_empty_feed(client, fmt):
    response = client.get(f"/feed?keywords=nothingmatchesthis&format={fmt}")
    assert response.status_code == 200 and entries(response) == []


def test_head_answers_with_headers_and_no_body(client):
    response = client.head("/feed")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == CONTENT_TYPES["rss"] and response.headers["etag"]


def test_hostile_upstream_text_is_served_as_text_in_every_format(make_client):
    hostile = "Bad \x00\x1b\x85 ]]> <script>alert(1)</script> <img src=x onerror=alert(2)>"
    client, service = make_client(seed=False)
    p = paper("2609.09999", title="LLM " + hostile, abstract=hostile, authors=(hostile,), announced=LATEST)
    publish_days(
        service.ctx.store, CONFIG, [scored_day(LATEST, [p], CONFIG, {p.id: summary_record(SUMMARY_MARKDOWN + hostile)})]
    )
    for fmt in ("rss", "atom", "json"):
        [item] = entries(client.get(f"/feed?format={fmt}"))
        assert "<script>alert(1)</script>" in item["title"] and "\x00" not in item["title"]
        lowered = item["html"].lower()
        assert "<script" not in lowered and "<img" not in lowered and "javascript:" not in lowered


# HTTP caching ----------------------------------------------------------------------------------


def test_feeds_carry_etag_last_modified_and_cdn_cache_control(client):
    response = client.get("/feed")
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"] == "Wed, 23 Sep 2026 05:15:00 GMT"
    assert response.headers["cache-control"] == "max-age=0, s-maxage=3600, stale-while-revalidate=86400"


@pytest.mark.parametrize(
    "now, s_maxage",
    [
        (datetime(2026, 9, 23, 16, 0, tzinfo=UTC), 3600),  # noon EDT: the next rebuild is hours away, capped
        (datetime(2026, 9, 24, 3, 30, tzinfo=UTC), 1800),  # 23:30 EDT: half an hour before the rebuild
        (datetime(2026, 9, 24, 3, 59, 50, tzinfo=UTC), 60),  # ten seconds before: the floor
    ],
)
def test_the_cdn_keeps_a_feed_until_the_next_rebuild_capped(make_client, now, s_maxage):
    client, _ = make_client(clock=now)
    assert f"s-maxage={s_maxage}," in client.get("/feed").headers["cache-control"]


@pytest.mark.parametrize("header", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_a_matching_if_none_match_gets_304_with_the_same_headers(client, header):
    first = client.get("/feed/cs.AI?format=atom")
    again = client.get("/feed/cs.AI?format=atom", headers={"If-None-Match": header.format(etag=first.headers["etag"])})
    assert again.status_code == 304 and again.content == b""
    for name in ("etag", "cache-control", "last-modified"):
        assert again.headers[name] == first.headers[name]


def test_if_modified_since_gets_304_when_nothing_was_published_since(client):
    last_modified = client.get("/feed").headers["last-modified"]
    assert client.get("/feed", headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get("/feed", headers={"If-Modified-Since": "Mon, 21 Sep 2026 00:00:00 GMT"}).status_code == 200


def test_the_etag_follows_the_normalised_query_not_junk_parameters(client):
    etag = client.get("/feed?format=json&limit=10").headers["etag"]
    assert client.get("/feed?limit=10&utm_source=reader&format=JSON&fbclid=x").headers["etag"] == etag
    assert client.get("/feed?format=json&limit=11").headers["etag"] != etag


def test_a_new_publication_changes_the_etag(make_client):
    client, service = make_client()
    etag = client.get("/feed").headers["etag"]
    seed_store(service.ctx.store, CONFIG, per_day=10)
    response = client.get("/feed", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["etag"] != etag


def test_a_repeated_feed_request_costs_one_store_command_and_no_rendering(make_client):
    client, service = make_client(wrap=CountingStore)
    first = client.get("/feed?days=2")
    store = service.ctx.store
    assert (store.calls["get"], store.calls["mget"]) == (1, 1)
    renders = len(service.bodies)
    assert client.get("/feed?days=2").content == first.content
    client.get("/feed?days=2&format=atom")
    assert (store.calls["get"], store.calls["mget"]) == (3, 1)
    assert len(service.bodies) == renders + 1


# Missing data and outages ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_a_never_refreshed_service_serves_a_valid_feed_that_says_so(make_client, fmt):
    client, _ = make_client(seed=False)
    response = client.get(f"/feed?format={fmt}")
    assert response.status_code == 200 and entries(response) == []
    doc = parse(response)
    description = doc["description"] if fmt == "json" else doc.feed.subtitle
    assert description.startswith("No data yet")
    assert "s-maxage=60," in response.headers["cache-control"] and "last-modified" not in response.headers


def test_a_store_outage_with_data_in_memory_serves_it_and_says_so(make_client):
    client, service = make_client(wrap=FlakyStore)
    before = client.get("/feed")
    service.ctx.store.down = True
    during = client.get("/feed")
    assert during.status_code == 200 and during.headers["etag"] != before.headers["etag"]
    assert "cannot be reached" in parse(during).feed.subtitle
    assert [e.id for e in parse(during).entries] == [e.id for e in parse(before).entries]
    assert "s-maxage=60," in during.headers["cache-control"]


def test_a_store_outage_with_nothing_in_memory_is_a_503_with_the_reason(make_client):
    client, service = make_client(wrap=FlakyStore)
    service.ctx.store.down = True
    response = client.get("/feed")
    assert response.status_code == 503 and response.headers["retry-after"] == "60"
    assert response.headers["cache-control"] == "no-store"
    assert "connection lost" in response.json()["error"]["message"]


def test_an_unexpected_failure_is_a_generic_500_without_details(make_client):
    class Broken:
        name = "broken"

        def get(self, key):
            raise RuntimeError("internal detail /srv/secret/path")

        def close(self):
            pass

    client, _ = make_client(seed=False, wrap=lambda store: Broken(), raise_server_exceptions=False)
    response = client.get("/feed")
    assert response.status_code == 500
    assert response.json() == {"error": {"parameter": None, "message": "internal error"}}
    assert "secret" not in response.text and "Traceback" not in response.text


def test_a_broken_config_is_a_500_naming_the_key(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text(json.dumps({"categories": "cs.AI"}))
    monkeypatch.setenv("ARXIV_RSS_CONFIG", str(tmp_path / "config.json"))
    reset_service()
    try:
        response = TestClient(app).get("/feed")
    finally:
        reset_service()
    assert response.status_code == 500 and "categories" in response.json()["error"]["message"]


# Bad input -------------------------------------------------------------------------------------

BAD = [
    ("/feed?format=xml", 400, "format"),
    ("/feed?keywords=" + ",".join(f"k{i}" for i in range(21)), 400, "keywords"),
    ("/feed?keywords=" + "x" * 101, 400, "keywords"),
    ("/feed?limit=201", 400, "limit"),
    ("/feed?limit=lots", 400, "limit"),
    ("/feed?days=15", 400, "days"),
    ("/feed?min_score=high", 400, "min_score"),
    ("/feed?types=new,old", 400, "types"),
    ("/feed?sort=random", 400, "sort"),
    ("/feed?summary=maybe", 400, "summary"),
    ("/feed?categories=cs.XX", 400, "categories"),
    ("/feed/cs..AI", 400, "category"),
    ("/feed/%3Cscript%3E", 400, "category"),
    ("/rss/not%20a%20category", 400, "category"),
    ("/feed/math.CO", 404, "category"),
    ("/rss/math.CO", 404, "category"),
    ("/feed/keyword/" + "k" * 101, 400, "keyword"),
    ("/feed/cs.AI?format=atom&days=99", 400, "days"),
]


@pytest.mark.parametrize("url, status, parameter", BAD)
def test_bad_input_is_a_json_error_naming_the_parameter(client, url, status, parameter):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    error = response.json()["error"]
    assert error["parameter"] == parameter and error["message"] and "Traceback" not in response.text


def test_an_unserved_category_is_a_404_listing_the_served_ones(client):
    assert "served: cs.AI, cs.CL, cs.LG" in client.get("/feed/math.CO").json()["error"]["message"]


def test_an_unknown_path_is_a_json_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.json()["error"]["message"] == "no such page"


# OPML, root, health ----------------------------------------------------------------------------


def test_opml_lists_the_deployments_feeds(client):
    response = client.get("/opml")
    assert response.headers["content-type"] == "text/x-opml; charset=utf-8"
    urls = [o.get("xmlUrl") for o in ET.fromstring(response.content).findall("body/outline")]
    assert urls == ["http://testserver/feed"] + [f"http://testserver/feed/{c}" for c in CONFIG.categories]


def test_health_reports_store_refresh_counts_and_summaries_without_secrets(make_client, tmp_path):
    env = Env(db_path=str(tmp_path / "db.sqlite3"), cron_secret=CRON_SECRET, secrets={"DASHSCOPE_API_KEY": LLM_KEY})
    client, _ = make_client(env=env)
    response = client.get("/api/health")
    body = response.json()
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert body["status"] == "ok" and body["store"] == {"backend": "sqlite", "reachable": True}
    assert body["data"]["papers"] == 122 and [d["date"] for d in body["data"]["days"]] == [
        "2026-09-23",
        "2026-09-22",
        "2026-09-21",
    ]
    assert body["categories"]["cs.AI"]["status"] == "updated"
    assert body["categories"]["cs.AI"]["updated_at"] == "2026-09-23T05:15:00Z"
    assert body["summaries"] == {
        "enabled": True,
        "configured": True,
        "model": "qwen-long",
        "api_key_env": "DASHSCOPE_API_KEY",
        "api_key_set": True,
    }
    assert body["cron"] == {"secret_configured": True}
    assert CRON_SECRET not in response.text and LLM_KEY not in response.text


def test_on_vercel_with_sqlite_health_and_feeds_warn_that_data_will_not_persist(make_client, tmp_path):
    client, _ = make_client(env=Env(db_path=str(tmp_path / "db.sqlite3"), on_vercel=True))
    store = client.get("/api/health").json()["store"]
    assert store["persistent"] is False and "Upstash" in store["warning"] and "Marketplace" in store["warning"]
    assert "will not persist" in parse(client.get("/feed?format=json"))["description"]


def test_off_vercel_the_feeds_carry_no_storage_warning(client):
    assert "persist" not in parse(client.get("/feed?format=json"))["description"]


def test_health_of_a_never_refreshed_service(make_client):
    client, _ = make_client(seed=False)
    body = client.get("/api/health").json()
    assert body["status"] == "never-refreshed" and body["data"]["papers"] == 0
    assert body["summaries"]["configured"] is False


@pytest.mark.parametrize("warm, status", [(True, "degraded"), (False, "store-unreachable")])
def test_health_is_503_while_the_store_is_unreachable(make_client, warm, status):
    client, service = make_client(wrap=FlakyStore)
    if warm:
        client.get("/feed")
    service.ctx.store.down = True
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["status"] == status and "connection lost" in response.json()["store"]["reason"]


# Cron ------------------------------------------------------------------------------------------


@pytest.fixture
def arxiv(arxiv):
    arxiv.route("/rss/", body=shared_fixture(RSS_FIXTURE))
    return arxiv


CRON_CONFIG = seed_config(categories=["cs.LG", "cs.AI", "cs.CL", "stat.ML"])
REMOTE, LOCAL = ("203.0.113.7", 40000), ("127.0.0.1", 40000)
CRON_CASES = [
    # secret,      client,             headers,                                      vercel, status
    (CRON_SECRET, REMOTE, {}, False, 401),
    (CRON_SECRET, REMOTE, {"Authorization": "Bearer wrong"}, False, 401),
    (CRON_SECRET, REMOTE, {"Authorization": CRON_SECRET}, False, 401),
    (CRON_SECRET, REMOTE, {"Authorization": f"Bearer {CRON_SECRET}x"}, False, 401),
    (CRON_SECRET, REMOTE, {"Authorization": f"Bearer {CRON_SECRET}"}, True, 200),
    (CRON_SECRET, LOCAL, {}, False, 401),
    ("", REMOTE, {}, False, 403),
    ("", REMOTE, {"Authorization": "Bearer anything"}, False, 403),
    ("", LOCAL, {}, True, 403),
    ("", LOCAL, {"X-Forwarded-For": "203.0.113.7"}, False, 403),
    ("", LOCAL, {}, False, 200),
    ("", ("::1", 40000), {}, False, 200),
]


@pytest.fixture
def local_server():
    """The app as `python -m cli serve` runs it (its opt-in to the local cron exemption;
    without it, see tests/test_cron_security.py)."""
    allow_local_cron(app)
    yield
    del app.state.local_cron


@pytest.mark.parametrize("secret, peer, headers, on_vercel, status", CRON_CASES)
def test_cron_runs_only_with_the_secret_or_locally_without_one(
    make_client, arxiv, tmp_path, local_server, secret, peer, headers, on_vercel, status
):
    env = arxiv.env(db_path=str(tmp_path / "db.sqlite3"), cron_secret=secret, on_vercel=on_vercel)
    client, _ = make_client(config=CRON_CONFIG, env=env, seed=False, client=peer)
    response = client.get("/api/cron", headers=headers)
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"
    assert CRON_SECRET not in response.text and "Traceback" not in response.text
    assert bool(arxiv.requests) == (status == 200)


def test_a_successful_cron_returns_the_report_and_the_feed_then_serves_the_papers(make_client, arxiv, tmp_path):
    env = arxiv.env(db_path=str(tmp_path / "db.sqlite3"), cron_secret=CRON_SECRET)
    client, _ = make_client(config=CRON_CONFIG, env=env, seed=False)
    report = client.get("/api/cron", headers={"Authorization": f"Bearer {CRON_SECRET}"}).json()
    assert report["fetched"] == 4 and report["announced"] == "2026-09-24"
    assert arxiv.paths() == ["/rss/cs.LG+cs.AI+cs.CL+stat.ML"]
    doc = parse(client.get("/feed?keywords=*&types=*&format=json"))
    assert len(doc["items"]) == report["papers"] and "2026-09-24" in doc["description"]
    assert client.get("/api/health").json()["categories"]["cs.LG"]["status"] == "updated"


def test_cron_while_a_refresh_holds_the_lock_is_a_409(make_client, arxiv, tmp_path):
    env = arxiv.env(db_path=str(tmp_path / "db.sqlite3"), cron_secret=CRON_SECRET)
    client, service = make_client(config=CRON_CONFIG, env=env, seed=False)
    assert service.ctx.store.set_if_absent(LOCK_KEY, b"another run", ttl=60)
    response = client.get("/api/cron", headers={"Authorization": f"Bearer {CRON_SECRET}"})
    assert response.status_code == 409 and response.headers["cache-control"] == "no-store"
    assert response.json()["error"]["message"].startswith("a refresh is running")
    assert arxiv.requests == []


# Cold start ------------------------------------------------------------------------------------

IMPORT_CHECK = """
import sys
from fastapi.testclient import TestClient
from api.index import app
client = TestClient(app)
def get(*urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.text)
# By package: a module renamed or added under one is still caught. The one module of
# core.ingest the selection uses (the announce-type merge, pure) is allowed by name.
ALLOWED = ("core.ingest", "core.ingest.dedupe")
def loaded(names):
    inside = (m for m in sys.modules if any(m == n or m.startswith(n + ".") for n in names))
    return ",".join(sorted(m for m in inside if m not in ALLOWED))
heavy = ("openai", "pypdf", "bibtexparser", "rispy", "core.summaries", "core.ingest", "core.refresh",
         "core.profiles.library")
embedding = ("wordllama", "tokenizers", "core.embed", "core.store.vectors", "core.rank.meaning")
# The first /feed of a cold function loads neither the page nor the profile code.
get("/feed")
print(loaded(("core.profiles", "core.web", "api.profiles", "api.profile_api", "api.profile_page")))
# The plain paths: no numpy either, and no Markdown or sanitiser (summaries are rendered at refresh).
get("/feed/cs.AI?format=atom", "/api/health", "/opml", "/", "/static/app.js", "/static/app.css")
print(loaded(heavy + embedding + ("numpy", "markdown_it", "nh3", "pydantic.v1")))  # v1: typed route arguments
# A custom keyword query loads no embedder (numpy may be loading in the background).
get("/feed/keyword/llm?format=json", "/feed?keywords=graph*,sparse&days=1")
print(loaded(heavy + embedding))
# Every name above exists: a renamed package cannot make the check pass silently.
import importlib.util
print(",".join(n for n in heavy + embedding + ALLOWED + ("core.profiles", "core.web", "api.profiles")
               if importlib.util.find_spec(n) is None))
"""


def test_the_feed_and_page_paths_import_no_llm_arxiv_or_pdf_code(tmp_path):
    assert run_seeded(tmp_path, IMPORT_CHECK).split("\n")[:4] == ["", "", "", ""]


def test_the_openapi_schema_lists_every_route_once(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/feed", "/feed/{category}", "/feed/keyword/{keyword}", "/rss", "/opml", "/api/health"} <= set(paths)
    assert all(set(ops) == {"get"} for ops in paths.values())


def test_importing_the_app_leaves_what_it_made_out_of_the_collector_s_sight_and_collection_on():
    # core.longlived: the objects imported at start live for the process; a dozen full
    # collections while they were made found nothing to free.
    code = "import gc, api.index\nprint(gc.isenabled(), gc.get_freeze_count() > 50_000)\n"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
    off = subprocess.run(
        [sys.executable, "-c", "import gc; gc.disable(); " + code.replace("\n", "; ", 1)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert off.returncode == 0, off.stderr
    assert off.stdout.split()[0] == "False"  # a collector turned off before stays off


def test_the_function_never_loads_httpx_s_command_line_tool():
    code = (
        "import sys, api.index, httpx\n"
        "print(','.join(m for m in ('httpx._main', 'click', 'rich', 'pygments') if sys.modules.get(m)))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""  # without the block: httpx._main,click,rich,pygments
    alone = code.replace("api.index, ", "")
    plain = subprocess.run([sys.executable, "-c", alone], cwd=root, capture_output=True, text=True, timeout=60)
    assert "httpx._main" in plain.stdout  # the check can fail: httpx alone loads its tool here
