"""The web page at `/` and its static files, through the ASGI app (TestClient): HTML
structure and accessibility basics, escaping of hostile upstream text, the status strip
for every refresh status, no data, store outages, headers (CSP, ETag, cache), no
external resources, and the import check. The browser behaviour is in test_browser.py.

The store is a real SQLite file seeded with synthetic papers (tests.support.seed).
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.page import STATIC_TYPES
from core.config import Env
from core.models import Day, Match, Scored
from core.store.publish import publish
from core.web.page import READERS, highlight, relative_time, repository_url, score_chart
from tests.support.app_client import app_clients
from tests.support.counting import CountingStore
from tests.support.flaky_store import FlakyStore
from tests.support.fresh import run_seeded
from tests.support.html_doc import Doc
from tests.support.papers import paper
from tests.support.seed import publish_days, scored_day, seed_config, seed_store, summary_record

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "api" / "_public" / "static"
CONFIG = seed_config()
LATEST = "2026-09-23"
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)  # 12:00 EDT, twelve hours before the next rebuild
HOSTILE_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)> Sparse attention & "LLM" </textarea>'
HOSTILE_AUTHOR = '"><svg onload=alert(2)>'
HOSTILE_ABSTRACT = "An LLM abstract with <iframe src=javascript:alert(3)></iframe> and a </script> tag."
HOSTILE_SUMMARY = (
    "## Findings\n\n**bold** claim\n\n<script>alert(4)</script>\n\n<img src=x onerror=alert(5)>\n\n"
    "[click](javascript:alert(6)) and [data](data:text/html,<b>x</b>)\n"
)


@pytest.fixture
def make_client(tmp_path):
    with app_clients(tmp_path, CONFIG, NOON) as make:
        yield make


@pytest.fixture
def client(make_client):
    return make_client()[0]


def page_of(client, url: str = "/", **kwargs) -> tuple[str, Doc]:
    response = client.get(url, **kwargs)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text, Doc(response.text)


def feed_json(client, url: str) -> dict:
    return json.loads(client.get(url).content)


# Headers ----------------------------------------------------------------------------------------


def test_the_page_is_html_with_a_strict_csp_an_etag_and_the_feeds_cache_lifetimes(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "max-age=0, s-maxage=3600, stale-while-revalidate=86400"
    assert response.headers["last-modified"] == "Wed, 23 Sep 2026 05:15:00 GMT"
    assert re.fullmatch(r'"[0-9a-f]{24}(-gzip)?"', response.headers["etag"])  # -gzip: the compressed variant


def test_a_matching_if_none_match_gets_a_304_and_the_page_is_rendered_once(make_client):
    client, service = make_client()
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert client.get("/").content == first.content and len(service.bodies) == 1


def test_a_repeated_page_request_costs_one_store_command_and_no_rendering(make_client, monkeypatch):
    client, service = make_client(wrap=CountingStore)
    first = client.get("/")
    store = service.ctx.store
    before = store.total
    monkeypatch.setattr("api.page.render_page", lambda page: pytest.fail("rendered again"))
    assert client.get("/").content == first.content
    assert client.get("/", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert store.total - before == 2 and store.calls["get"] >= 2  # one manifest read per request


def test_the_etag_changes_when_the_last_refresh_text_ages(make_client):
    early = make_client(clock=NOON)[0].get("/")
    late = make_client(clock=NOON + timedelta(hours=2))[0].get("/")
    assert "10 hours ago" in early.text and "12 hours ago" in late.text
    assert early.headers["etag"] != late.headers["etag"]


def test_the_etag_changes_when_the_templates_change(make_client, monkeypatch):
    client, _ = make_client()
    before = client.get("/").headers["etag"]
    monkeypatch.setattr("api.page.templates_fingerprint", lambda: "another deploy")
    assert client.get("/", headers={"If-None-Match": before}).status_code == 200
    assert client.get("/").headers["etag"] != before


def test_head_answers_with_the_headers_and_no_body(client):
    response = client.head("/")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == "text/html; charset=utf-8" and "etag" in response.headers


# Structure ------------------------------------------------------------------------------------


def test_the_builder_is_a_plain_get_form_on_the_feed_with_every_control(client):
    _, doc = page_of(client)
    assert doc.find("form", id="builder", action="/feed", method="get")
    categories = doc.find("input", name="categories", type="checkbox")
    assert [c["value"] for c in categories] == list(CONFIG.categories) and all("checked" in c for c in categories)
    types = doc.find("input", name="types", type="checkbox")
    assert [t["value"] for t in types] == ["new", "cross", "replace", "replace-cross"]
    assert [t["value"] for t in types if "checked" in t] == list(CONFIG.include_types)
    for name in ("keywords", "exclude", "authors"):
        (box,) = doc.find("input", name=name, type="text")
        assert box.get("value", "") == ""  # empty: the deployment's default
    (days,) = doc.find("input", name="days", type="number")
    assert (days["min"], days["max"], days["value"]) == ("1", str(CONFIG.retention_days), "1")
    assert doc.find("input", name="min_score", type="number")
    assert [r["value"] for r in doc.find("input", name="format", type="radio")] == ["rss", "atom", "json"]
    assert [r["value"] for r in doc.find("input", name="summary", type="radio")] == ["full", "none"]
    assert doc.find("button", type="submit")


def test_every_form_control_has_a_label_and_the_page_a_language_and_headings(client):
    html, doc = page_of(client)
    labelled = {label["for"] for label in doc.find("label") if "for" in label}
    controls = [a for t, a in doc.elements if t == "input"]
    assert controls and all(c.get("id") in labelled or c.get("aria-label") for c in controls)
    assert doc.find("html", lang="en") and doc.find("meta", name="viewport")
    assert len(doc.find("h1")) == 1 and len(doc.find("h2")) >= 3
    assert doc.find("a", href="#builder")  # skip link
    assert doc.find("svg", role="img") and all(s.get("aria-labelledby") for s in doc.find("svg"))


def test_the_subscribe_url_copy_button_and_feed_link_start_from_the_default_feed(client):
    _, doc = page_of(client)
    (url,) = doc.find("textarea", id="feed-url")
    assert doc.text_by_id["feed-url"] == "http://testserver/feed" and "readonly" in url
    assert doc.find("a", id="feed-open", href="http://testserver/feed")
    (copy,) = doc.find("button", id="copy")
    assert "hidden" in copy  # shown by the script, which is what makes it work


def test_subscribing_offers_reader_links_with_the_feed_url_and_the_opml_not_a_feed_scheme_link(client):
    html, doc = page_of(client)
    encoded = "http%3A%2F%2Ftestserver%2Ffeed"
    readers = {a["id"]: a["href"] for a in doc.find("a", **{"class": "reader"})}
    assert readers == {
        "sub-feedly": f"https://feedly.com/i/subscription/feed%2F{encoded}",
        "sub-inoreader": f"https://www.inoreader.com/?add_feed={encoded}",
        "sub-newsblur": f"https://www.newsblur.com/?url={encoded}",
    }
    assert doc.find("a", id="feed-opml", href="/opml")
    assert "feed:" not in html and not doc.find("a", id="feed-subscribe")
    data = json.loads(doc.text_by_id["page-data"])
    assert {f"sub-{k}": v + encoded for k, v in data["readers"].items()} == readers  # the script's copy


def test_the_head_advertises_the_default_feed_as_rss_atom_and_json_feed(client):
    _, doc = page_of(client)
    alternates = {a["type"]: a["href"] for a in doc.find("link", rel="alternate")}
    assert alternates == {
        "application/rss+xml": "http://testserver/feed",
        "application/atom+xml": "http://testserver/feed?format=atom",
        "application/feed+json": "http://testserver/feed?format=json",
    }
    for kind, url in alternates.items():
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind)


def test_the_page_uses_the_forwarded_scheme_and_host_for_its_feed_urls(make_client, tmp_path):
    # forwarded headers count only when trusted, in the Service's environment (not the process's)
    env = Env.from_environ({"ARXIV_RSS_DB": str(tmp_path / "db.sqlite3"), "ARXIV_RSS_TRUST_FORWARDED": "1"})
    client, _ = make_client(env=env)
    _, doc = page_of(client, headers={"X-Forwarded-Proto": "https", "Host": "papers.example"})
    assert doc.text_by_id["feed-url"] == "https://papers.example/feed"
    data = json.loads(doc.text_by_id["page-data"])
    assert data["base"] == "https://papers.example"


def test_scripts_are_external_or_json_data_and_nothing_is_inline(client):
    html, doc = page_of(client)
    scripts = doc.find("script")
    assert {s.get("type", "") for s in scripts if "src" not in s} == {"application/json"}
    assert all(s["src"].startswith("/static/app.js?v=") for s in scripts if "src" in s)
    attributes = [name for _, a in doc.elements for name in a]
    assert "style" not in attributes and not [n for n in attributes if n.startswith("on")]
    assert "<style" not in html
    data = json.loads(doc.text_by_id["page-data"])
    assert data["categories"] == list(CONFIG.categories) and data["retention_days"] == CONFIG.retention_days
    assert data["defaults"]["types"] == list(CONFIG.include_types)


def test_todays_papers_are_the_default_feeds_papers_of_the_latest_day(client):
    html, doc = page_of(client)
    listed = [li["data-id"] for li in doc.find("li", **{"class": "paper"})]
    feed = feed_json(client, f"/feed?format=json&limit={CONFIG.max_papers}")
    assert listed == [item["id"] for item in feed["items"]] and listed
    assert all(i["_arxiv"]["announced"] == LATEST for i in feed["items"])
    first = feed["items"][0]
    pid = first["_arxiv"]["id"]
    assert f'href="https://arxiv.org/abs/{pid}"' in html
    assert f'href="https://arxiv.org/pdf/{pid}v1"' in html and f'href="https://arxiv.org/html/{pid}v1"' in html
    assert f'<span class="score">score {first["_arxiv"]["score"]:g}</span>' in html


def test_matched_keywords_are_marked_and_the_summary_sits_in_a_details_block(client):
    html, _ = page_of(client)
    item = html[html.index('id="p-2609.02000"') :]
    item = item[: item.index("</li>")]
    assert '<mark class="kw">Sparse<span class="in-title"> (title)</span></mark>' in item
    assert "<mark>Sparse</mark> <mark>Attention</mark> for <mark>LLM</mark>" in item
    assert '<details class="ai-summary"><summary>AI summary' in item and "<strong>sparse attention</strong>" in item


def test_the_charts_count_papers_per_category_and_by_score(client):
    _, doc = page_of(client)
    desc = doc.text_by_id["chart-cats-d"]
    assert "cs.AI: " in desc and "cs.CL: " in desc and "cs.LG: " in desc
    assert "score 0:" in doc.text_by_id["chart-scores-d"]


def test_the_page_links_to_opml_health_and_the_repository(client, make_client, tmp_path):
    html, doc = page_of(client)
    hrefs = {a.get("href") for a in doc.find("a")}
    assert {"/opml", "/api/health", "/feed/cs.AI"} <= hrefs
    # seed_config names no repository and the tests do not run on Vercel: no Source link at all
    assert not any(h and h.startswith("https://github.com/") for h in hrefs) and ">Source</a>" not in html
    deployed = Env(db_path=str(tmp_path / "deployed.sqlite3"), repository="fork/arxiv-rss")
    html, doc = page_of(make_client(env=deployed)[0])
    assert "https://github.com/fork/arxiv-rss" in {a.get("href") for a in doc.find("a")} and ">Source</a>" in html


@pytest.mark.parametrize(
    "configured, deployed_from, link",
    [
        ("https://git.example.org/me/arxiv", "fork/arxiv-rss", "https://git.example.org/me/arxiv"),
        ("me/my-arxiv-rss", "fork/arxiv-rss", "https://github.com/me/my-arxiv-rss"),
        ("", "fork/arxiv-rss", "https://github.com/fork/arxiv-rss"),
        ("", "", ""),
        ('javascript:alert(1)//"', "", ""),
        ("", 'x/y" onclick="alert(1)', ""),
    ],
)
def test_the_repository_link_comes_from_the_config_else_from_where_vercel_deployed(configured, deployed_from, link):
    assert repository_url(seed_config(repository=configured), deployed_from) == link


def test_vercel_names_the_github_repository_it_deployed_from():
    from core.config import Env

    github = {"VERCEL_GIT_PROVIDER": "github", "VERCEL_GIT_REPO_OWNER": "fork", "VERCEL_GIT_REPO_SLUG": "arxiv-rss"}
    assert Env.from_environ(github).repository == "fork/arxiv-rss"
    assert Env.from_environ({**github, "VERCEL_GIT_PROVIDER": "gitlab"}).repository == ""
    assert Env.from_environ({}).repository == ""


# Escaping ---------------------------------------------------------------------------------------


def publish_hostile(store, config):
    hostile = paper(
        "2609.09999",
        title=HOSTILE_TITLE,
        abstract=HOSTILE_ABSTRACT,
        authors=(HOSTILE_AUTHOR, "Ada Lovelace"),
        categories=("cs.AI",),
        announced=LATEST,
    )
    day = scored_day(LATEST, [hostile], config, {hostile.id: summary_record(HOSTILE_SUMMARY)})
    publish_days(store, config, [day], status="no-announcement", detail="<b>weekend</b> & <script>x</script>")


def test_hostile_titles_authors_abstracts_summaries_and_details_are_shown_as_text(make_client):
    client, _ = make_client(seed=publish_hostile)
    html, doc = page_of(client)
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&#34;&gt;&lt;svg onload=alert(2)&gt;" in html
    assert "&lt;iframe src=javascript:alert(3)&gt;&lt;/iframe&gt;" in html
    assert "&lt;b&gt;weekend&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in html
    assert "<strong>bold</strong>" in html  # the summary's Markdown is rendered, its markup is not
    assert not doc.find("img") and not doc.find("iframe") and len(doc.find("svg")) == 2  # the two charts
    attributes = [(name, value) for _, a in doc.elements for name, value in a.items()]
    assert not [name for name, _ in attributes if name.startswith("on")]
    assert not [v for _, v in attributes if v.strip().lower().startswith(("javascript:", "data:"))]
    assert [s for s in doc.find("script") if "src" not in s and s.get("type") != "application/json"] == []
    assert len(doc.find("script")) == 2


def test_a_hostile_keyword_in_the_config_is_escaped_in_the_builder(make_client):
    config = seed_config(keywords=["LLM", "<b>bold</b>", 'say "hi"'], exclude_keywords=["</textarea>"])
    client, _ = make_client(config=config)
    html, _ = page_of(client)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "say &#34;hi&#34;" in html and "&lt;/textarea&gt;" in html
    assert "<b>bold</b>" not in html


def test_highlight_marks_whole_words_plurals_and_prefixes_and_escapes_the_rest():
    assert highlight("RL in the world of RLs", ["RL"]) == "<mark>RL</mark> in the world of <mark>RLs</mark>"
    assert highlight("Quantized <b>nets</b> & quantization", ["quantiz*"]) == (
        "<mark>Quantized</mark> &lt;b&gt;nets&lt;/b&gt; &amp; <mark>quantization</mark>"
    )
    assert highlight("machine-learning", ["machine learning"]) == "<mark>machine-learning</mark>"
    assert highlight("<i>", []) == "&lt;i&gt;"


@pytest.mark.parametrize(
    "seconds, text",
    [(5, "just now"), (60, "1 minute ago"), (7200, "2 hours ago"), (90000, "1 day ago"), (-3600, "in 1 hour")],
)
def test_relative_time_reads_like_speech(seconds, text):
    assert relative_time(NOON - timedelta(seconds=seconds), NOON) == text


# Status strip ------------------------------------------------------------------------------------


def publish_with(status: str, detail: str):
    def publish(store, config):
        seed_store(store, config, days=1)
        day = scored_day(LATEST, [paper("2609.01234", announced=LATEST, categories=("cs.AI",))], config)
        publish_days(store, config, [day], status=status, detail=detail)

    return publish


@pytest.mark.parametrize(
    "status, detail, label, text",
    [
        ("updated", "updated", "updated", "announced 2026-09-23"),
        ("no-announcement", "no announcement (weekend)", "no announcement", "no announcement (weekend), checked"),
        ("unchanged", "same batch", "not rebuilt yet", "arXiv has not rebuilt its feed since the last refresh"),
        ("upstream-error", "HTTP 503", "upstream error", "arXiv could not be read since"),
        ("stale", "no papers in cs.AI", "no papers this time", "its earlier papers are still served"),
    ],
)
def test_the_status_strip_says_each_categorys_status_honestly(make_client, status, detail, label, text):
    client, _ = make_client(seed=publish_with(status, detail))
    _, doc = page_of(client)
    items = [doc.text_by_id.get(f"status-{c}", "") for c in CONFIG.categories]
    assert all(label in item and text in item for item in items), items
    if status == "upstream-error":
        assert all("(HTTP 503); earlier data is still served" in item for item in items)
    facts = doc.text_by_id["status-facts"]
    assert "Last refresh 10 hours ago (2026-09-23 05:15 UTC)" in facts
    assert "Announcement of Wednesday 23 September 2026" in facts and "1 paper" in facts


def test_the_status_strip_counts_papers_and_summaries_of_the_latest_day(client):
    _, doc = page_of(client)
    assert "41 papers · 5 AI summaries" in doc.text_by_id["status-facts"]
    assert "18 papers announced 2026-09-23" in doc.text_by_id["status-cs.AI"]


def test_data_past_the_old_data_age_is_called_old_with_its_last_refresh(make_client):
    fresh = make_client(clock=NOON + timedelta(days=7))[0].get("/")
    old = make_client(clock=NOON + timedelta(days=69))[0].get("/")
    assert 'id="status-old"' not in fresh.text
    note = Doc(old.text).text_by_id["status-old"]
    assert note == (
        "This data is old: the newest announcement held is of 2026-09-23, 69 days ago; "
        "the last refresh ran at 2026-09-23 05:15 UTC."
    )
    older = make_client(clock=NOON + timedelta(days=70))[0].get("/")
    assert old.headers["etag"] != older.headers["etag"] and "70 days ago" in older.text


def test_a_category_no_refresh_has_covered_yet_says_so(make_client):
    wider = seed_config(categories=["cs.AI", "cs.CL", "cs.LG", "stat.ML"])
    client, _ = make_client(config=wider, seed=lambda store, _: seed_store(store, CONFIG))
    _, doc = page_of(client)
    assert "not refreshed yet" in doc.text_by_id["status-stat.ML"]


def test_a_service_with_no_data_yet_shows_the_builder_and_says_so(make_client):
    client, _ = make_client(seed=False)
    response = client.get("/")
    html, doc = page_of(client)
    assert response.status_code == 200 and "s-maxage=60," in response.headers["cache-control"]
    assert "No data yet: this service has not completed a refresh" in html
    assert doc.find("form", id="builder") and not doc.find("li", **{"class": "paper"})
    assert "No announcement is stored yet." in html and not doc.find("svg")


def test_an_announcement_day_without_papers_says_so_and_draws_no_chart(make_client):
    client, _ = make_client(seed=lambda store, config: publish_days(store, config, [scored_day(LATEST, [], config)]))
    html, doc = page_of(client)
    assert "No papers were stored for the announcement of Wednesday 23 September 2026." in html
    assert "0 papers · 0 AI summaries" in doc.text_by_id["status-facts"] and not doc.find("svg")


def test_a_store_outage_with_nothing_in_memory_still_serves_the_page_as_a_503(make_client):
    client, service = make_client(wrap=FlakyStore)
    service.ctx.store.down = True
    response = client.get("/")
    assert response.status_code == 503 and response.headers["cache-control"] == "no-store"
    assert "The data store cannot be reached right now (connection lost" in response.text
    assert 'role="alert"' in response.text and 'id="builder"' in response.text


def test_a_store_outage_with_data_in_memory_serves_it_and_says_so(make_client):
    client, service = make_client(wrap=FlakyStore)
    assert client.get("/").status_code == 200
    service.ctx.store.down = True
    response = client.get("/")
    assert response.status_code == 200 and "s-maxage=60," in response.headers["cache-control"]
    assert "this is the copy held in memory" in response.text and 'class="paper"' in response.text


def test_on_vercel_with_sqlite_the_page_warns_that_data_will_not_persist(make_client, tmp_path):
    client, _ = make_client(env=Env(db_path=str(tmp_path / "v.sqlite3"), on_vercel=True))
    assert "will not persist" in client.get("/").text


# Static files and outside resources -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STATIC_TYPES))
def test_static_files_are_cached_for_a_year_at_their_versioned_url(client, name):
    html = client.get("/").text
    (versioned,) = re.findall(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]+)"', html)
    response = client.get(versioned)
    assert response.status_code == 200 and response.content == (STATIC / name).read_bytes()
    assert response.headers["content-type"] == STATIC_TYPES[name]
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    again = client.get(versioned, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    unversioned = client.get(f"/static/{name}")
    assert unversioned.headers["cache-control"] == "public, max-age=300"


@pytest.mark.parametrize("path", ["/static/nothing.js", "/static/..%2Fpage.py", "/static/app.js%00"])
def test_only_the_named_static_files_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"]["message"] == "no such page"


URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")  # protocol-relative too
ABSOLUTE_URL = re.compile(r"""https?://[^\s"'<>)]+""")  # in JS, `//` starts comments
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def test_nothing_is_loaded_from_elsewhere_and_links_leave_only_for_arxiv_and_the_repository(client):
    html, doc = page_of(client)
    resources = [a.get("src") or a.get("href") for t, a in doc.elements if t in ("script", "link", "img")]
    assert resources and all(r.startswith(("/static/", "http://testserver/")) for r in resources if r), resources
    # AI summaries may link anywhere (sanitised, rel="nofollow"); everything else may not.
    summaries = re.findall(r'<div class="summary-body">.*?</div>', html, re.S)
    assert summaries and all('rel="noopener noreferrer nofollow"' in s for s in summaries if "<a " in s)
    outside = re.sub(r'<div class="summary-body">.*?</div>', "", html, flags=re.S)
    readers = tuple(prefix for _, _, prefix in READERS)  # a link out, carrying only the feed's URL
    allowed = ("http://testserver", "https://arxiv.org/", *readers)
    found = [u for u in URL.findall(outside) if not u.startswith(allowed)]
    assert found == [], found
    for name in STATIC_TYPES:
        text = (STATIC / name).read_text()
        assert [u for u in ABSOLUTE_URL.findall(text) if u != SVG_NAMESPACE] == [], name
        assert "@import" not in text and "url(" not in text


# Counts, plurals and what the status promises ------------------------------------------------------


def publish_one_paper(store, config):
    one = paper("2609.01234", title="Sparse LLM kernels", announced=LATEST, categories=("cs.AI",))
    publish_days(store, config, [scored_day(LATEST, [one], config, {one.id: summary_record()})])


def test_one_paper_and_one_summary_are_never_plural(make_client):
    client, _ = make_client(seed=publish_one_paper)
    html, doc = page_of(client)
    assert "1 paper · 1 AI summary" in doc.text_by_id["status-facts"]
    assert "1 paper announced 2026-09-23" in doc.text_by_id["status-cs.AI"]
    assert "cs.AI: 1 paper, 1 in the default feed; cs.CL: 0 papers" in doc.text_by_id["chart-cats-d"]
    assert "score 3 to below 4: 1 paper, 1 in the default feed" in doc.text_by_id["chart-scores-d"]
    assert "1 paper of the 1 paper announced" in doc.text
    assert re.findall(r"\b1 (?:papers|summaries|AI summaries)\b", doc.text) == []


def publish_stale(held: bool):
    """Every category `stale`: none in today's announcement; `held` says whether an earlier
    refresh had stored papers of it (the record keeps that announcement) or never did."""

    def publish_it(store, config):
        days = [scored_day(LATEST, [paper("2609.01234", announced=LATEST)], config)]
        if held:  # the earlier announcement, with papers of every category, is still stored
            cats = tuple(config.categories)
            days.append(
                scored_day("2026-09-22", [paper("2609.00001", announced="2026-09-22", categories=cats)], config)
            )
        manifest = publish_days(store, config, days)
        record = {
            "status": "stale",
            "detail": "no papers",
            "announced": "2026-09-22" if held else "",
            "papers": 4 if held else 0,
            "checked_announcement": LATEST,
            "checked_at": "2026-09-23T05:15:00Z",
        }
        publish(store, dataclasses.replace(manifest, categories={c: record for c in config.categories}))

    return publish_it


@pytest.mark.parametrize(
    "held, says, never",
    [
        (True, "its earlier papers are still served; latest announcement 2026-09-22", "no earlier papers"),
        (False, "no earlier papers of it are held", "still served"),
    ],
)
def test_a_category_with_no_papers_today_promises_earlier_ones_only_when_some_were_stored(
    make_client, held, says, never
):
    client, _ = make_client(seed=publish_stale(held))
    _, doc = page_of(client)
    for cat in CONFIG.categories:
        text = doc.text_by_id[f"status-{cat}"]
        assert "no papers this time" in text and says in text and never not in text, text


# The score histogram -----------------------------------------------------------------------------


def score_bars(html: str) -> dict[str, tuple[float, float]]:
    """Each histogram band's label -> (height of its whole bar, height of the part the
    default feed selects), read from the SVG."""
    svg = html[html.index('aria-labelledby="chart-scores-t') : html.index("</svg>", html.index("chart-scores-t"))]
    heights: dict[float, list[float]] = {}
    for kind, x, h in re.findall(
        r'<rect class="(bar-all|bar-pick)" x="([\d.]+)" y="[\d.]+" width="\d+" height="([\d.]+)"', svg
    ):
        heights.setdefault(float(x), [0.0, 0.0])[kind == "bar-pick"] = float(h)
    labels = re.findall(r'<text class="label" x="[\d.]+" y="168" text-anchor="middle">([^<]+)</text>', svg)
    return {html_unescape(label): tuple(heights[x]) for label, x in zip(labels, sorted(heights), strict=True)}


def html_unescape(text: str) -> str:
    return text.replace("&lt;", "<")


def scored_papers(*scores: float, announce_type: str = "new"):
    def publish_it(store, config):
        papers = [
            Scored(
                paper(f"2609.{i:05d}", announced=LATEST, categories=("cs.AI",), announce_type=announce_type),
                s,
                (Match("LLM", False, s),) if s else (),
            )
            for i, s in enumerate(scores)
        ]
        publish_days(store, config, [Day(LATEST, tuple(papers), {})])

    return publish_it


def test_a_band_wholly_below_the_minimum_score_is_drawn_pale(make_client):
    client, _ = make_client(config=seed_config(min_score=3.7), seed=scored_papers(3.5, 3.5, 6.0, 0.0))
    bars = score_bars(client.get("/").text)
    assert bars["3"][0] > 0 and bars["3"][1] == 0  # 3.5 < 3.7: none of the band reaches the feed
    assert bars["6"][0] == bars["6"][1] > 0 and bars["0"][1] == 0


def test_a_band_the_minimum_score_cuts_is_drawn_in_part(make_client):
    client, _ = make_client(config=seed_config(min_score=1.5), seed=scored_papers(1.2, 1.8, 1.6, 1.4))
    total, picked = score_bars(client.get("/").text)["1"]
    assert picked == total / 2  # 1.6 and 1.8 are in the default feed, 1.2 and 1.4 are not


def test_papers_the_default_feed_leaves_out_for_their_type_are_drawn_pale(make_client):
    client, _ = make_client(config=seed_config(min_score=1), seed=scored_papers(2.0, 2.5, announce_type="replace"))
    assert score_bars(client.get("/").text)["2"][1] == 0  # replacements are not among the default types


@pytest.mark.parametrize("min_score", [0.5, 2.5, 7.5, 8, 40])
def test_the_minimum_score_label_sits_above_every_count_and_inside_the_chart(min_score):
    day = scored_day(LATEST, [paper(f"2609.{i:05d}", announced=LATEST) for i in range(3)], CONFIG)
    chart = score_chart(day, seed_config(min_score=min_score), [])
    label = chart["threshold"]
    counts_top = chart["top"] - 4 - 13  # a count's baseline is 4 above its bar; the text is 13 px high
    assert chart["label_y"] + 3 < counts_top  # the label's descenders included
    width = 7 * len(label["text"])  # 13 px system-ui digits and letters are narrower than 7 px
    left = label["text_x"] - (width if label["anchor"] == "end" else 0)
    assert left >= 0 and left + width <= chart["width"]


# Templates load lazily: the feed path never imports jinja2 ---------------------------------------

LAZY_CHECK = """
import sys
from fastapi.testclient import TestClient
from api.index import app
import core.text.templating
client = TestClient(app)
for url in ("/feed", "/feed/cs.AI?format=atom", "/feed?format=json", "/api/health", "/opml", "/static/app.js"):
    assert client.get(url).status_code == 200, url
print(",".join(sorted(m for m in ("jinja2", "markupsafe") if m in sys.modules)) or "-")
assert client.get("/").status_code == 200 and client.get("/?x=1").status_code == 200
print("jinja2" in sys.modules, core.text.templating._html.cache_info().misses)
"""


def test_the_feed_path_never_imports_jinja2_and_the_page_builds_its_templates_once(tmp_path):
    assert run_seeded(tmp_path, LAZY_CHECK).split() == ["-", "True", "1"]
