"""One bad character, or one entry that is not XML, costs at most that entry, never the day.

Feeds are synthetic (tests/support/rss.py and inline bodies): nobody has recorded arXiv
sending these, but expat rejects a whole document for any one of them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.config import parse_config
from core.errors import UpstreamError
from core.ingest.client import ArxivClient
from core.ingest.parse import parse_feed
from core.refresh.pipeline import run_refresh
from tests.support.papers import paper
from tests.support.rss import rss_feed

DAY = "2026-09-24"
MARK = "@@BAD@@"

# (what sits in one title, what the title keeps of it)
BAD_CHARACTERS = [
    (b"&#xD800;", "\ufffd"),  # a surrogate: not a character
    (b"&#55296;", "\ufffd"),  # the same, in decimal
    (b"&#xDFFF;", "\ufffd"),
    (b"&#x110000;", "\ufffd"),  # past U+10FFFF
    (b"&#99999999999999999999;", "\ufffd"),
    (b"&#xFFFE;", ""),  # noncharacters
    (b"&#xFFFF;", ""),
    (b"&#65535;", ""),
    (b"\xef\xbf\xbe", ""),  # U+FFFE and U+FFFF as raw UTF-8
    (b"\xef\xbf\xbf", ""),
    (b"\xed\xa0\x80", "\ufffd\ufffd\ufffd"),  # a raw surrogate is invalid UTF-8
    (b"&#x1b;", ""),  # a C0 control, as before
]
IDS = [
    "D800",
    "D800-dec",
    "DFFF",
    "110000",
    "huge",
    "FFFE",
    "FFFF",
    "FFFF-dec",
    "raw-FFFE",
    "raw-FFFF",
    "raw-D800",
    "ESC",
]


def papers(n: int = 3):
    return [
        paper(f"2609.{70001 + i}", title=f"Paper {i} {MARK} title", announced=DAY, categories=("cs.LG", "cs.AI"))
        for i in range(n)
    ]


def feed_with(bad: bytes, good: bytes = b"") -> bytes:
    """Three items; the first title carries `bad`, the others `good`."""
    body = rss_feed(papers(), DAY)
    return body.replace(MARK.encode(), bad, 1).replace(MARK.encode(), good)


@pytest.mark.parametrize(("bad", "kept"), BAD_CHARACTERS, ids=IDS)
def test_a_character_xml_forbids_in_one_title_is_dropped_or_replaced_and_the_day_parses(bad, kept):
    feed = parse_feed(feed_with(bad))
    assert [p.id for p in feed.papers] == ["2609.70001", "2609.70002", "2609.70003"]
    assert feed.skipped == 0
    assert feed.papers[0].title == f"Paper 0 {kept} title".replace("  ", " ")
    assert feed.papers[1].title == "Paper 1 title"


@pytest.mark.parametrize(
    ("good", "kept"),
    [
        (b"&#x41;", "A"),
        (b"&#x0000000041;", "A"),
        (b"&#65;", "A"),
        (b"&#x10FFFF;", "\U0010ffff"),
        (b"&#xFFFD;", "\ufffd"),
        (b"&#xE000;", "\ue000"),
    ],
    ids=["hex", "leading-zeros", "decimal", "last-plane", "FFFD", "private-use"],
)
def test_references_to_characters_xml_allows_are_kept(good, kept):
    assert parse_feed(feed_with(b"", good)).papers[1].title == f"Paper 1 {kept} title"


def test_a_body_declaring_another_encoding_keeps_its_bytes_as_that_encoding():
    body = feed_with(b"\xef\xbf\xbe").replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    assert parse_feed(body).papers[0].title == "Paper 0 \xef\xbf\xbe title"


@pytest.mark.parametrize(
    "broken",
    [b"a < b", b"R&D", b"<b>unclosed", b"&undefined;"],
    ids=["bare-lt", "bare-amp", "unclosed-element", "unknown-entity"],
)
def test_one_entry_that_is_not_xml_is_skipped_and_counted_and_the_others_are_kept(broken):
    feed = parse_feed(feed_with(broken))
    assert [p.id for p in feed.papers] == ["2609.70002", "2609.70003"]
    assert (feed.skipped, feed.announced) == (1, DAY)


def test_an_atom_entry_that_is_not_xml_is_skipped_too():
    entry = (
        "<entry><id>oai:arXiv.org:2609.7000{n}v1</id><title>T{n} {extra}</title><summary>Abstract.</summary>"
        "<published>2026-09-24T00:00:00-04:00</published><category term='cs.LG'/></entry>"
    )
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>cs.LG updates on arXiv.org</title>'
        "<published>2026-09-24T00:00:00-04:00</published>"
        + "".join(entry.format(n=n, extra="a < b" if n == 2 else "") for n in (1, 2, 3))
        + "</feed>"
    ).encode()
    feed = parse_feed(body)
    assert ([p.id for p in feed.papers], feed.skipped) == (["2609.70001", "2609.70003"], 1)


@pytest.mark.parametrize(
    "body",
    [
        feed_with(b"a < b").replace(b"</channel>", b""),  # the envelope is broken too
        feed_with(b"a < b", b"c < d"),  # no entry survives
        feed_with(b"")[: len(feed_with(b"")) // 2],  # truncated mid-item
    ],
    ids=["broken-envelope", "every-entry-broken", "truncated"],
)
def test_a_document_that_is_broken_beyond_its_entries_still_raises(body):
    with pytest.raises(UpstreamError, match="not well-formed XML"):
        parse_feed(body)


def test_many_unclosed_entries_are_given_up_on_in_one_pass_not_one_per_entry():
    body = feed_with(b"&undefined;").replace(b"</channel>", b"<item>" * 20_000 + b"</channel>")
    with pytest.raises(UpstreamError):  # the unclosed <item>s sit in the envelope: it cannot parse
        parse_feed(body)


def test_a_refresh_publishes_the_day_when_one_title_holds_a_forbidden_character(arxiv, store):
    config = parse_config({"categories": ["cs.LG", "cs.AI"], "keywords": ["paper"]})
    arxiv.route("/rss/", feed_with(b"&#xFFFF;&#xD800;"))
    with ArxivClient(arxiv.env(), "team@example.org", max_attempts=1, sleep=lambda s: None, timeout=2) as client:
        report = run_refresh(config, store, client, clock=lambda: datetime(2026, 9, 24, 12, tzinfo=UTC))
    assert report["status"] == "updated"
    assert (report["papers"], report["skipped"]) == (3, 0)
    assert {rec["status"] for rec in report["categories"].values()} == {"updated"}
