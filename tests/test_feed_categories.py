"""What readers key and filter on: each item's arXiv categories and matched keywords as
categories (RSS `<category>`, Atom `<category term>`, JSON Feed tags), one GUID per paper in
every feed (the versionless abs page, as arXiv's own feed), the link the abs page, and no
state-changing URL (a profile's vote links) in a link, comments or image."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from core.feeds.channel import Channel
from core.feeds.items import items_for
from core.feeds.render import render
from core.models import Match, Scored
from tests.support.app_client import app_clients
from tests.support.papers import paper
from tests.test_meaning import CONFIG, seed
from tests.test_profiles import NOW, env_for, make_profile

CHANNEL = Channel("arXiv cs.AI", "Papers.", "https://feeds.example/feed", "https://feeds.example/", "")
P = paper("2609.00007", version=3, categories=("cs.LG", "stat.ML"))
ATOM = "{http://www.w3.org/2005/Atom}"


def tags(fmt: str, scored: Scored) -> list[str]:
    body = render(CHANNEL, items_for([scored], {}, with_summaries=False), fmt)
    if fmt == "json":
        return json.loads(body)["items"][0]["tags"]
    return [t.term for t in feedparser.parse(body).entries[0].tags]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_items_carry_their_arxiv_categories_then_their_matched_keywords(fmt):
    scored = Scored(P, 3.0, (Match("diffusion", True, 2.0), Match("GAN <x>", False, 1.0), Match("cs.LG", False, 0)))
    assert tags(fmt, scored) == ["cs.LG", "stat.ML", "diffusion", "GAN <x>"]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_keyword_categories_follow_each_query_not_the_kept_fragment(fmt):
    """The paper's fragment is kept across feeds; its keywords must come from each feed's query."""
    assert tags(fmt, Scored(P, 1.0, (Match("first", False, 1.0),))) == ["cs.LG", "stat.ML", "first"]
    assert tags(fmt, Scored(P, 1.0, (Match("second", False, 1.0),))) == ["cs.LG", "stat.ML", "second"]
    assert tags(fmt, Scored(P, 0.0, ())) == ["cs.LG", "stat.ML"]


def test_the_rss_and_atom_items_stay_well_formed_with_keyword_categories():
    scored = Scored(P, 1.0, (Match("a & b", False, 1.0),))
    rss = ET.fromstring(render(CHANNEL, items_for([scored], {}, False), "rss"))
    item = rss.find("channel/item")
    assert [c.text for c in item.findall("category")] == ["cs.LG", "stat.ML", "a & b"]
    assert item.findtext("guid") == item.findtext("link") == "https://arxiv.org/abs/2609.00007"
    atom = ET.fromstring(render(CHANNEL, items_for([scored], {}, False), "atom"))
    entry = atom.find(f"{ATOM}entry")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["cs.LG", "stat.ML", "a & b"]
    assert entry.findtext(f"{ATOM}id") == "https://arxiv.org/abs/2609.00007"


@pytest.fixture
def app(tmp_path):
    with app_clients(tmp_path, CONFIG, NOW) as make:
        client, service = make(seed=seed, env=env_for(tmp_path))
        yield client, make_profile(service)


def ids_and_links(body: str, fmt: str) -> list[tuple[str, str, str]]:
    """(guid or id, link, every other URL outside the body) per item."""
    if fmt == "json":
        return [
            (i["id"], i["url"], " ".join(str(i.get(k, "")) for k in ("image", "banner_image", "external_url")))
            for i in json.loads(body)["items"]
        ]
    out = []
    for e in feedparser.parse(body).entries:
        others = " ".join([e.get("comments", ""), *(x.get("href", "") for x in e.get("enclosures", []))])
        others += " " + " ".join(link.href for link in e.links if link.rel != "alternate")
        out.append((e.id, e.link, others))
    return out


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_one_guid_per_paper_across_feeds_and_no_vote_url_outside_the_body(app, fmt):
    client, created = app
    bodies = [client.get(path).text for path in (f"/feed?format={fmt}", f"/feed/p/{created.feed_id}?format={fmt}")]
    assert "/vote?" in bodies[1]  # the profile feed has vote links, in the items' bodies
    seen: dict[str, str] = {}
    for body in bodies:
        for guid, link, others in ids_and_links(body, fmt):
            assert re.fullmatch(r"https://arxiv\.org/abs/\d{4}\.\d{5}", guid), guid  # versionless
            assert link == guid
            assert "/vote" not in others and "/p/" not in others
            seen.setdefault(guid, link)
    assert seen
    raw = bodies[1]
    if fmt != "json":
        assert not re.search(r"<(link|comments|enclosure|image|url|guid|id)\b[^>]*>[^<]*/vote", raw)
        assert not re.search(r"<(link|enclosure|image)\b[^>]*href=\"[^\"]*/vote", raw)


def test_papers_sharing_matches_but_not_categories_get_their_own_category_lists():
    matches = (Match("cs.AI", False, 1.0), Match("robots", False, 1.0))
    a, b = paper("2609.00011", categories=("cs.AI",)), paper("2609.00012", categories=["cs.RO"])  # a list, too
    rss = ET.fromstring(render(CHANNEL, items_for([Scored(a, 2, matches), Scored(b, 2, matches)], {}, False), "rss"))
    got = [[c.text for c in item.findall("category")] for item in rss.findall("channel/item")]
    assert got == [["cs.AI", "robots"], ["cs.RO", "cs.AI", "robots"]]
