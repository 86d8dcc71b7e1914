"""Rendered item fragments are reused across feeds without changing a byte.

`core.feeds.render` keeps what an item renders to apart from its score line, per (format,
paper, summary fields). Every feed here is compared with the same feed rendered with
that cache switched off.
"""

from __future__ import annotations

import pytest

from core.feeds.channel import Channel
from core.feeds.items import Item
from core.feeds.render import render
from core.memo import LRU
from core.models import Match, Paper, Scored

CHANNEL = Channel("arXiv cs.LG", "Papers & <things>", "https://x.test/feed?a=1&b=2", "https://x.test/")
PAPER = Paper(
    "2609.00001",
    2,
    "Quantized <b>diffusion</b> & 'RL'\x00 models",
    "First paragraph with <script>x</script>.\n\nSecond\x07 one & ]]>",
    ("Ada Lovelace", "  ", "Bob \x0bO'Brien"),
    ("cs.LG", "cs.AI"),
    "replace",
    "2026-09-24",
)
SUMMARY = {"text": "## Result\n\n- **bold** [link](javascript:alert(1))", "model": "m<1>", "source": "fulltext"}
SCORES = [
    Scored(PAPER, 0.0),
    Scored(PAPER, 2.5, (Match("diffusion", True, 1.5), Match("RL & <co>", False, 1.0))),
    Scored(PAPER, 1.0, (Match("quantiz*", False, 1.0),)),
    Scored(PAPER, -0.0, (Match("quantiz*", False, -0.0),)),
    Scored(PAPER, 0.0, (Match("quantiz*", False, 0.0),)),
    Scored(PAPER, 1.0, (Match("quantiz*", False, 1.0),), similarity=0.5, nearest="A <liked> paper"),
    Scored(PAPER, 1.0, (Match("quantiz*", False, 1.0),), similarity=-0.0, nearest="A <liked> paper"),
]


def fresh(channel: Channel, items: list[Item], fmt: str, monkeypatch) -> bytes:
    with monkeypatch.context() as m:
        m.setattr("core.feeds.items._FRAGMENTS", LRU(0))
        return render(channel, items, fmt)


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_an_item_in_feeds_with_different_scores_renders_as_without_the_cache(fmt, monkeypatch):
    monkeypatch.setattr("core.feeds.items._FRAGMENTS", LRU(16))
    later = SUMMARY | {"created_at": "2026-09-25T10:00:00Z"}
    for _ in range(2):
        for scored in SCORES:
            for summary in (None, SUMMARY, later, SUMMARY | {"model": "other"}, SUMMARY | {"source": "abstract"}):
                items = [Item(scored, summary)]
                assert render(CHANNEL, items, fmt) == fresh(CHANNEL, items, fmt, monkeypatch)


def test_a_paper_equal_by_value_shares_the_fragment_and_a_different_one_does_not(monkeypatch):
    cache = LRU(16)
    monkeypatch.setattr("core.feeds.items._FRAGMENTS", cache)
    render(CHANNEL, [Item(SCORES[1])], "atom")
    same = Paper(**PAPER.to_dict() | {"authors": PAPER.authors, "categories": PAPER.categories})
    render(CHANNEL, [Item(Scored(same, 1.0))], "atom")
    assert len(cache) == 1
    other = Paper(**PAPER.to_dict() | {"authors": PAPER.authors, "categories": PAPER.categories, "version": 3})
    items = [Item(Scored(other, 1.0))]
    assert render(CHANNEL, items, "atom") == fresh(CHANNEL, items, "atom", monkeypatch)
    assert len(cache) == 2


def test_a_paper_that_cannot_be_hashed_is_rendered_without_the_cache(monkeypatch):
    listed = Paper(**PAPER.to_dict() | {"authors": ["Ada"], "categories": ["cs.LG"]})
    items = [Item(Scored(listed, 0.0))]
    assert render(CHANNEL, items, "rss") == fresh(CHANNEL, items, "rss", monkeypatch)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_items_of_one_feed_show_their_own_score_lines(fmt):
    from core.feeds.items import score_html as _score_html
    from core.text.safe_html import escape

    body = render(CHANNEL, [Item(s) for s in SCORES], fmt).decode()
    at = 0
    for scored in SCORES:
        line = escape(_score_html(scored))
        at = body.index(line, at) + len(line) if line else at
    lines = [escape(_score_html(s)) for s in SCORES if s.matches]
    assert all(body.count(line) == lines.count(line) for line in lines)
    assert "Score:&lt;/strong&gt; -0 ·" in body and "Score:&lt;/strong&gt; 0 ·" in body


def test_a_papers_hash_is_its_fields_but_the_texts_hash_and_stays_so():
    from dataclasses import astuple

    from core.models import COLUMN_FIELDS

    same = Paper(**PAPER.to_dict() | {"authors": PAPER.authors, "categories": PAPER.categories})
    assert hash(PAPER) == hash(tuple(getattr(PAPER, name) for name in COLUMN_FIELDS)) == hash(same)
    assert hash(PAPER) == hash(PAPER) and same == PAPER and astuple(PAPER) == astuple(same)
    assert "_hash" not in PAPER.to_dict() and repr(PAPER) == repr(same)
    other = Paper(**PAPER.to_dict() | {"authors": PAPER.authors, "categories": PAPER.categories, "version": 3})
    assert hash(other) != hash(PAPER) and other != PAPER
    retitled = Paper(**PAPER.to_dict() | {"authors": PAPER.authors, "categories": PAPER.categories, "title": "T"})
    assert hash(retitled) == hash(PAPER) and retitled != PAPER  # equal hashes, unequal papers
    listed = Paper(**PAPER.to_dict() | {"authors": ["Ada"], "categories": ["cs.LG"]})
    for _ in range(2):
        with pytest.raises(TypeError):
            hash(listed)
