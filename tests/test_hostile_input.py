"""Hostile upstream text through the real path: arXiv's bytes (a loopback FakeArxiv) ->
parse -> refresh -> store -> the app's feeds. Every feed still parses (strict XML,
feedparser without bozo, JSON) and carries no executable markup; one bad entry never
costs the rest of the announcement.

The feed is synthetic (tests/support/rss.py), with the hostile parts spliced in as raw
bytes where XML escaping would otherwise tidy them up.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser

import feedparser
import pytest
from fastapi.testclient import TestClient

from api.deps import Service, get_service
from api.index import app
from core.config import Env, parse_config
from core.context import Context
from core.ingest.client import ArxivClient
from core.refresh.pipeline import run_refresh
from core.store.layout import read_manifest
from core.store.reader import Reader
from core.text.safe_html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from tests.support import tally
from tests.support.fake_arxiv import FakeArxiv
from tests.support.papers import paper
from tests.support.published import complete_version
from tests.support.rss import rss_feed

DAY = "2026-09-24"
AT = datetime(2026, 9, 24, 12, tzinfo=UTC)
CONFIG = parse_config({"categories": ["cs.LG", "cs.AI"], "keywords": ["attack", "payload"]})
SCRIPT = "<script>alert(1)</script>"
MARKUP = f'{SCRIPT} ]]> <img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a> <![CDATA[ y ]]>'
BIG = 10 * 1024 * 1024
AUTHORS = 5000

# Raw bytes spliced into the XML after escaping: C0 controls (raw and as character
# references), C1 controls, and byte sequences that are not UTF-8 at all.
RAW_TITLE = b"Attack CTRL\x01\x0b\x1b&#1;&#x1b;&#x85;\xc2\x85 title"
BAD_UTF8 = b"payload \xff\xfe bad \xc3\x28 lone \x80 end"


def hostile_feed() -> bytes:
    papers = [
        paper(
            "2609.50001",
            title=f"Attack in the title {MARKUP}",
            abstract=f"Abstract {MARKUP}",
            authors=(f"Mallory {SCRIPT}", "Eve <b onmouseover=alert(4)>"),
        ),
        paper("2609.50002", title="PLACEHOLDER-TITLE", abstract="Control characters in the title."),
        paper(
            "2609.50003", title="Invalid UTF-8 in the abstract", abstract="PLACEHOLDER-ABSTRACT", categories=("cs.AI",)
        ),
        paper("2609.50004", title="A payload of ten megabytes", abstract="x", categories=("cs.AI", "cs.LG")),
        paper(
            "2609.50005",
            title="A crowd of five thousand authors",  # in the keywords=* feed only
            authors=tuple(f"Author {i} <i>{i}</i>" for i in range(AUTHORS)),
        ),
        paper("2609.50006", title="An ordinary attack paper, untouched", abstract="Nothing odd here."),
    ]
    body = rss_feed(papers, DAY, CONFIG.categories)
    body = body.replace(b"PLACEHOLDER-TITLE", RAW_TITLE).replace(b"PLACEHOLDER-ABSTRACT", BAD_UTF8)
    return body.replace(b"Abstract: x</description>", b"Abstract: " + b"ab]]&gt;c " * (BIG // 10) + b"</description>")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """A store refreshed once from the hostile feed, and the app's Service over it."""
    path = tmp_path_factory.mktemp("hostile") / "store.sqlite3"
    ctx = Context(CONFIG, Env(db_path=str(path)))
    with FakeArxiv() as arxiv:
        arxiv.route("/rss/", hostile_feed())
        with ArxivClient(arxiv.env(), max_attempts=1, timeout=30) as client:
            report = run_refresh(CONFIG, ctx.store, client, clock=lambda: AT)
    yield Service(ctx, clock=lambda: AT), report
    ctx.store.close()


@pytest.fixture
def client(service):
    app.dependency_overrides[get_service] = lambda: service[0]
    yield TestClient(app)
    app.dependency_overrides.pop(get_service, None)


def stored_papers(service) -> dict:
    store = service[0].ctx.store
    [day] = Reader(store).days(read_manifest(store), 1)
    return {s.paper.id: s.paper for s in day.papers}


def test_every_hostile_entry_is_stored_and_none_costs_the_others(service):
    with tally.fault("hostile text: the whole announcement survives"):
        _, report = service
        assert report["status"] == "updated" and report["skipped"] == 0
        papers = stored_papers(service)
        assert set(papers) == {f"2609.5000{i}" for i in range(1, 7)}
        complete_version(service[0].ctx.store)


def test_control_characters_are_dropped_and_invalid_utf8_is_replaced_not_fatal(service):
    papers = stored_papers(service)
    assert papers["2609.50002"].title == "Attack CTRL title"
    assert papers["2609.50003"].abstract == "payload \ufffd\ufffd bad \ufffd( lone \ufffd end"


def test_a_ten_megabyte_abstract_is_cut_to_a_sane_length(service):
    abstract = stored_papers(service)["2609.50004"].abstract
    assert abstract.startswith("ab]]>c ab]]>c") and abstract.endswith("…")
    assert len(abstract) <= 20_001


def test_five_thousand_authors_are_kept(service):
    authors = stored_papers(service)["2609.50005"].authors
    assert len(authors) == AUTHORS and authors[-1] == f"Author {AUTHORS - 1} <i>{AUTHORS - 1}</i>"


FEEDS = ["/feed?keywords=*&types=*", "/feed/cs.LG", "/feed/keyword/attack", "/rss/cs.AI?keywords=payload&days=1"]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_parses_and_carries_no_executable_markup(client, path, fmt):
    with tally.fault(f"hostile text: {path} as {fmt}"):
        response = client.get(path + ("&" if "?" in path else "?") + f"format={fmt}")
        assert response.status_code == 200
        assert len(response.content) < 2 * 1024 * 1024  # the 10 MB abstract does not reach the feeds
        html_parts = check_json(response.content) if fmt == "json" else check_xml(response.content, fmt)
        assert html_parts
        for part in html_parts:
            assert_harmless(part)


def check_xml(body: bytes, fmt: str) -> list[str]:
    """Strict XML and feedparser both accept it; returns the HTML-bearing values."""
    root = ET.fromstring(body)  # raises on anything not well-formed
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries
    for entry in feed.entries:
        assert SCRIPT not in entry.get("summary", "") or fmt == "atom"  # Atom's summary is plain text
    if fmt == "rss":
        items = root.iter("item")
        tags = ("description", "{http://purl.org/rss/1.0/modules/content/}encoded")
        return [item.findtext(tag) for item in items for tag in tags]
    atom = "{http://www.w3.org/2005/Atom}"
    return [entry.findtext(atom + "content") for entry in root.iter(atom + "entry")]


def check_json(body: bytes) -> list[str]:
    doc = json.loads(body)
    assert doc["items"]
    return [item["content_html"] for item in doc["items"]]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def assert_harmless(html: str) -> None:
    """Only allow-listed elements and attributes, and no script-bearing URL."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, f"<{tag}> in {html[:200]!r}"
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, f"{tag}[{name}]"
            assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:"))
