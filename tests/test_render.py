"""Rendering: safe HTML from untrusted text (core.text.safe_html), the three feed formats
(core.feeds.render) parsed back with feedparser, the channel's status text, and OPML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

import feedparser
import pytest

from core.feeds.channel import Channel, channel_description, channel_title
from core.feeds.items import Item, item_html, items_for
from core.feeds.opml import render_opml
from core.feeds.render import render
from core.models import DayRef, Manifest, Match, Scored
from core.rank.query import parse_query
from core.text.safe_html import escape, markdown_to_html, sanitize_html, text_to_html, xml_safe
from tests.support.papers import paper
from tests.support.seed import SUMMARY_MARKDOWN, seed_config, summary_record

CONFIG = seed_config()
FORMATS = ("rss", "atom", "json")
HOSTILE = 'Evil \x00\x07\x1b\ud800 ]]> <script>alert(1)</script> & "quotes" \x85 end'
NS = {"a": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/"}


# Safe HTML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("plain", "plain"),
        ("a\x00b\x08c\x0bd\x0ce\x1ff", "abcdef"),
        ("tab\tnew\nline\rreturn", "tab\tnew\nline\rreturn"),
        ("lone \ud800 surrogate \udfff", "lone  surrogate "),
        ("non-chars \ufffe\uffff", "non-chars "),
        ("C1 \x80\x85\x9f and DEL \x7f", "C1  and DEL "),
        ("emoji 🙂 and 中文", "emoji 🙂 and 中文"),
    ],
)
def test_xml_safe_strips_what_xml_cannot_carry(raw, clean):
    assert xml_safe(raw) == clean


def test_escape_makes_text_safe_in_text_and_attributes():
    assert escape("<a href=\"x\">'&'</a>\x00") == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"


def test_plain_text_becomes_escaped_paragraphs():
    assert text_to_html("One <b>\nline.\n\n  Two & more.") == "<p>One &lt;b&gt; line.</p><p>Two &amp; more.</p>"


@pytest.mark.parametrize(
    "markdown, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ("[x](javascript:alert(1))", "javascript:"),
        ("[x](JaVaScRiPt:alert(1))", "javascript:"),
        ("<javascript:alert(1)>", 'href="javascript'),
        ("[x](data:text/html,<script>alert(1)</script>)", "data:"),
        ("[x](vbscript:msgbox)", "vbscript:"),
        ("![i](https://tracker.example/p.png)", "<img"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("<iframe src=https://evil.example></iframe>", "<iframe"),
        ('<a href="https://ok.example" onclick="alert(1)">x</a>', "<a href"),
        ("[rel](/etc/passwd)", 'href="/'),
    ],
)
def test_markdown_from_a_model_never_yields_executable_markup(markdown, forbidden):
    assert forbidden not in markdown_to_html(markdown).lower()


def test_markdown_keeps_formatting_lists_code_tables_and_safe_links():
    html = markdown_to_html("## Head\n\n**b** _i_ `c`\n\n- one\n\n| a |\n|---|\n| 1 |\n\n[ok](https://a.example/x)")
    for fragment in (
        "<h2>Head</h2>",
        "<strong>b</strong>",
        "<em>i</em>",
        "<code>c</code>",
        "<li>one</li>",
        "<td>1</td>",
        '<a href="https://a.example/x" rel="noopener noreferrer nofollow">ok</a>',
    ):
        assert fragment in html


def test_sanitize_html_drops_script_and_style_content_entirely():
    assert sanitize_html("<p>a<script>evil()</script><style>p{}</style>b</p>") == "<p>ab</p>"


# Feeds -----------------------------------------------------------------------------------------

P1 = paper(
    "2609.00001",
    version=2,
    title="Sparse LLM inference",
    abstract="We make LLM inference fast.\n\nSecond.",
    authors=("Ada Lovelace", "Grace Hopper"),
    categories=("cs.LG", "cs.AI"),
    announced="2026-09-24",
)
P2 = paper(
    "2609.00002",
    title="RL for agents",
    authors=("Alan Turing",),
    categories=("cs.AI",),
    announce_type="cross",
    announced="2026-09-23",
)
S1 = Scored(P1, 3.5, (Match("LLM", True, 1.5), Match("Sparse", True, 1.5), Match("inference", False, 0.5)))
S2 = Scored(P2, 1.5, (Match("RL", True, 1.5),))
CHANNEL = Channel(
    "arXiv cs.AI",
    "Papers announced on 2026-09-24.",
    "https://feeds.example/feed/cs.AI?format=x",
    "https://feeds.example/",
    "2026-09-24T05:15:00Z",
)
ITEMS = items_for([S1, S2], {P1.id: summary_record()}, with_summaries=True)


def parsed(fmt, items=ITEMS, channel=CHANNEL):
    body = render(channel, items, fmt)
    if fmt == "json":
        return json.loads(body)
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_xml_feeds_parse_back_field_by_field(fmt):
    feed = parsed(fmt)
    assert feed.feed.title == "arXiv cs.AI"
    assert feed.feed.subtitle == "Papers announced on 2026-09-24."
    assert feed.feed.updated_parsed[:6] == (2026, 9, 24, 5, 15, 0)
    assert [e.title for e in feed.entries] == ["Sparse LLM inference", "RL for agents"]
    first = feed.entries[0]
    assert first.link == "https://arxiv.org/abs/2609.00001"
    assert first.id == "https://arxiv.org/abs/2609.00001"
    assert first.author == "Ada Lovelace, Grace Hopper"  # every author, in one name list as arXiv sends
    assert [t.term for t in first.tags][:2] == ["cs.LG", "cs.AI"]  # arXiv categories, then matched keywords
    assert first.published_parsed[:6] == (2026, 9, 24, 4, 0, 0)  # midnight US Eastern (EDT)
    assert first.arxiv_announce_type == "new"
    html = first.content[0].value
    assert "A <strong>sparse attention</strong> kernel" in html and "by qwen-long" in html
    assert "https://arxiv.org/pdf/2609.00001v2" in html and "https://arxiv.org/html/2609.00001v2" in html
    assert "<strong>Score:</strong> 3.5" in html and "LLM (title), Sparse (title), inference" in html
    assert "We make LLM inference fast." in first.summary
    assert "AI summary" not in feed.entries[1].content[0].value


def test_rss_has_a_self_link_permalink_guids_and_one_comma_joined_dc_creator():
    root = ET.fromstring(render(CHANNEL, ITEMS, "rss"))
    self_link = root.find("channel/a:link", NS)
    assert self_link.get("rel") == "self" and self_link.get("href") == CHANNEL.self_url
    item = root.find("channel/item")
    assert item.find("guid").get("isPermaLink") == "true"
    assert item.find("pubDate").text == "Thu, 24 Sep 2026 00:00:00 -0400"
    creators = item.findall("{http://purl.org/dc/elements/1.1/}creator")
    assert [c.text for c in creators] == ["Ada Lovelace, Grace Hopper"]


def test_atom_meets_rfc_4287_required_elements():
    root = ET.fromstring(render(CHANNEL, ITEMS, "atom"))
    for name in ("id", "title", "updated", "author/a:name"):
        assert root.find(f"a:{name}", NS) is not None, name
    assert root.find("a:link[@rel='self']", NS).get("href") == CHANNEL.self_url
    for entry in root.findall("a:entry", NS):
        for name in ("id", "title", "updated", "summary", "content"):
            assert entry.find(f"a:{name}", NS).text, name
        assert entry.find("a:link[@rel='alternate']", NS).get("href").startswith("https://arxiv.org/abs/")
        assert entry.find("a:content", NS).get("type") == "html"


def test_json_feed_has_the_required_fields_of_version_1_1():
    doc = parsed("json")
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] and doc["feed_url"] == CHANNEL.self_url and doc["home_page_url"] == CHANNEL.site_url
    for item in doc["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
    first = doc["items"][0]
    assert first["url"] == P1.abs_url and first["title"] == P1.title
    assert first["authors"] == [{"name": "Ada Lovelace"}, {"name": "Grace Hopper"}]
    assert first["tags"] == ["cs.LG", "cs.AI", "LLM", "Sparse", "inference"]  # categories, then matched keywords
    assert first["date_published"] == "2026-09-24T00:00:00-04:00"
    assert first["_arxiv"]["matched_keywords"] == ["LLM", "Sparse", "inference"]
    assert first["_arxiv"]["score"] == 3.5 and first["_arxiv"]["ai_summary"] is True


def test_summaries_are_left_out_when_not_wanted():
    items = items_for([S1], {P1.id: summary_record()}, with_summaries=False)
    assert "AI summary" not in item_html(items[0])


def test_a_summary_record_without_text_is_ignored():
    assert items_for([S1], {P1.id: {"model": "m"}}, with_summaries=True)[0].summary is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_result_is_a_valid_empty_feed(fmt):
    feed = parsed(fmt, items=[], channel=replace(CHANNEL, updated=""))
    assert (feed["items"] if fmt == "json" else feed.entries) == []


def hostile_item():
    p = replace(
        P1,
        title=HOSTILE,
        abstract=HOSTILE + "\n\n" + HOSTILE,
        authors=(HOSTILE, "Bob"),
        categories=("cs.LG", "cs.AI\x00"),
    )
    return Item(Scored(p, 1.0, (Match(HOSTILE, True, 1.0),)), {"text": SUMMARY_MARKDOWN + HOSTILE, "model": HOSTILE})


def executable(html: str) -> list[str]:
    """Markup that could run: script/iframe/img elements, event handlers, javascript: URLs."""
    return re.findall(
        r"<\s*(?:script|iframe|img|object|embed)|\son\w+\s*=|(?:href|src)\s*=\s*\"?\s*javascript:", html, re.IGNORECASE
    )


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_hostile_text_still_parses_and_carries_no_executable_markup(fmt):
    body = render(replace(CHANNEL, title=HOSTILE, description=HOSTILE), [hostile_item()], fmt)
    root = ET.fromstring(body)  # well-formed XML despite control characters, surrogates and ]]>
    as_html = ("description", f"{{{NS['content']}}}encoded", f"{{{NS['a']}}}content")  # read as HTML
    html_fields = [e.text or "" for e in root.iter() if e.tag in as_html]
    assert html_fields and all(not executable(h) for h in html_fields)
    feed = parsed(fmt, items=[hostile_item()], channel=replace(CHANNEL, title=HOSTILE))
    entry = feed.entries[0]
    assert "]]>" in entry.title and "\x00" not in entry.title and "\ud800" not in entry.title
    assert "<script>alert(1)</script>" in entry.title  # shown as text, never as markup


def test_hostile_text_in_json_feed_is_text_and_sanitised_html():
    doc = json.loads(render(CHANNEL, [hostile_item()], "json"))
    item = doc["items"][0]
    assert "\x00" not in item["title"] and "<script>alert(1)</script>" in item["title"]
    assert not executable(item["content_html"])
    assert "&lt;script&gt;" in item["content_html"]


# The channel's text ----------------------------------------------------------------------------


def record(status, **extra):
    base = {
        "status": status,
        "detail": extra.pop("detail", status),
        "announced": "2026-09-24",
        "checked_at": "2026-09-26T05:15:00Z",
        "updated_at": "2026-09-24T05:16:00Z",
    }
    return {**base, **extra}


def describe(categories, dates=("2026-09-24",), degraded=False, version="v1"):
    manifest = Manifest(version=version, categories=categories, days=tuple(DayRef(d, (), 1) for d in dates))
    return channel_description(manifest, parse_query({}, CONFIG), list(dates), degraded)


def test_a_feed_that_never_refreshed_says_so():
    assert describe({}, dates=(), version="").startswith("No data yet")


def test_the_description_states_the_announcement_date_and_groups_categories_by_status():
    text = describe({c: record("updated") for c in CONFIG.categories})
    assert text == (
        "Papers announced on 2026-09-24. cs.AI, cs.CL, cs.LG: updated with the announcement of "
        "2026-09-24 at 2026-09-24 05:16 UTC."
    )


@pytest.mark.parametrize(
    "status, extra, expected",
    [
        (
            "no-announcement",
            {"detail": "no announcement (arXiv's feed is empty on weekends and holidays)"},
            "no announcement (arXiv's feed is empty on weekends and holidays), checked 2026-09-26 05:15 UTC",
        ),
        ("unchanged", {}, "arXiv has not published a newer announcement yet, checked 2026-09-26 05:15 UTC"),
        (
            "upstream-error",
            {"detail": "HTTP 503", "since": "2026-09-25T05:15:00Z"},
            "arXiv could not be read since 2026-09-25 05:15 UTC (HTTP 503); earlier data is still served",
        ),
    ],
)
def test_the_description_explains_each_refresh_status(status, extra, expected):
    text = describe({"cs.AI": record(status, **extra)})
    assert expected in text and "latest announcement 2026-09-24" in text
    assert "cs.CL, cs.LG: not refreshed yet." in text


@pytest.mark.parametrize("status", ["stale", "upstream-error"])
def test_earlier_papers_are_said_to_be_served_only_when_their_day_is_held(status):
    held = describe({"cs.AI": record(status, checked_announcement="2026-09-25")})
    gone = describe({"cs.AI": record(status, checked_announcement="2026-09-25")}, dates=("2026-09-25",))
    assert "still served" in held and "held" not in held
    assert "no earlier" in gone and " held" in gone
    assert "still served" not in gone


def test_a_degraded_store_is_mentioned():
    assert "cannot be reached" in describe({}, degraded=True)


def test_several_days_are_described_as_a_range():
    text = describe({}, dates=("2026-09-24", "2026-09-22"))
    assert text.startswith("Papers announced from 2026-09-22 to 2026-09-24.")


@pytest.mark.parametrize(
    "params, path, title",
    [
        ({}, {}, "arXiv cs.AI, cs.CL, cs.LG"),
        ({}, {"category": "cs.AI"}, "arXiv cs.AI"),
        ({"keywords": "*"}, {}, "arXiv cs.AI, cs.CL, cs.LG (all papers)"),
        ({"keywords": "gan"}, {"category": "cs.LG"}, "arXiv cs.LG: on gan"),
        ({}, {"keyword": "diffusion"}, "arXiv: diffusion"),
    ],
)
def test_channel_titles_name_what_the_feed_holds(params, path, title):
    assert channel_title(parse_query(params, CONFIG, **path)) == title


# OPML ------------------------------------------------------------------------------------------


def test_opml_lists_the_all_categories_feed_and_one_feed_per_category():
    body = render_opml("https://feeds.example", CONFIG.categories, datetime(2026, 9, 24, tzinfo=UTC), "atom")
    outlines = ET.fromstring(body).findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [
        "https://feeds.example/feed?format=atom",
        "https://feeds.example/feed/cs.AI?format=atom",
        "https://feeds.example/feed/cs.CL?format=atom",
        "https://feeds.example/feed/cs.LG?format=atom",
    ]
    assert all(o.get("type") == "rss" and o.get("text") for o in outlines)
