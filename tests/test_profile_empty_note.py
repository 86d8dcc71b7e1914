"""A profile feed that shows nothing says why in its description, with what to widen:
every paper of its days voted on (voted papers are not shown again), some voted and the
rest filtered out, none in its categories, or none matching (core.feeds.channel)."""

from __future__ import annotations

import json

from core.feeds.channel import empty_profile_note
from core.models import Day, Scored
from core.rank.query import parse_query
from tests.support.papers import paper
from tests.test_meaning import CONFIG, IDS, TOPICS
from tests.test_profiles import app, make_profile, vote_path  # noqa: F401

DAY = Day("2026-09-24", tuple(Scored(paper(f"2609.0000{i}", categories=(c,)), 0.0) for i, c in enumerate("ABB")))
QUERY = parse_query({"categories": "cs.LG"}, CONFIG)


def ask(categories: tuple[str, ...], voted: set[str], shown: int = 0, explained: bool = False) -> str:
    from dataclasses import replace

    return empty_profile_note([DAY], replace(QUERY, categories=categories), voted, shown, explained)


def test_every_paper_voted_on_is_named_with_what_to_widen():
    note = ask(("B",), {"2609.00001", "2609.00002"})
    assert note.startswith("Every paper of these days in this feed's categories has been voted on (2)")
    assert "widen the feed's days or categories" in note
    assert ask(("B",), {"2609.00001", "2609.00002"}, explained=True) == note  # said even beside other notes


def test_other_empty_feeds_say_why_and_a_feed_with_papers_says_nothing():
    assert ask(("A", "B"), {"2609.00001"}).startswith("No paper is left to show: 1 of these days' papers were voted")
    assert ask(("C",), set()).startswith("No paper of these days is in this feed's categories")
    assert ask(("A",), set()).startswith("No paper of these days matches this feed's filters")
    assert ask(("A",), set(), explained=True) == ""  # the ranking's own note explains it
    assert ask(("B",), {"2609.00001", "2609.00002"}, shown=1) == ""


def test_a_profile_feed_whose_every_paper_was_voted_on_says_so(app):  # noqa: F811
    client, service, _ = app
    created = make_profile(service, categories="cs.RO")
    for title, _ in TOPICS["robots"]:
        assert client.get(vote_path(created.feed_id, IDS[title], "up")).status_code == 200
    doc = json.loads(client.get(f"/feed/p/{created.feed_id}?format=json").text)
    assert doc["items"] == []
    assert "Every paper of these days in this feed's categories has been voted on (3)" in doc["description"]
    assert "widen the feed's days or categories" in doc["description"]
