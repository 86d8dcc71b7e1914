"""A feed's title says what the feed is: its interest (shortened), liked papers, keywords
and authors are named, and a profile feed has its own name, set over the profile API and
on its edit page (default: "arXiv: my feed — " and its interest). Pure titles from parsed
queries; the profile cases go through the real app over a seeded SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core.feeds.channel import channel_title, profile_channel_title, shorten
from core.rank.query import parse_query
from tests.support.app_client import app_clients
from tests.support.seed import seed_config
from tests.test_meaning import CONFIG as MEANING_CONFIG
from tests.test_meaning import seed

CONFIG = seed_config()
ALL = "arXiv cs.AI, cs.CL, cs.LG"
LONG = "sparse attention mechanisms for long-context language models and retrieval"


@pytest.mark.parametrize(
    "params, title",
    [
        ({"interest": LONG}, f"{ALL}: about \u201csparse attention mechanisms for\u2026\u201d"),
        ({"interest": "graph colouring"}, f"{ALL}: about \u201cgraph colouring\u201d"),
        ({"like": "2609.26811"}, f"{ALL}: papers like 2609.26811"),
        ({"like": "2609.26811,2609.00001"}, f"{ALL}: papers like 2609.26811 and 2609.00001"),
        ({"like": "2609.26811,2609.00001,2609.00002"}, f"{ALL}: papers like 2609.26811 and 2 more"),
        ({"keywords": "Network"}, f"{ALL}: on Network"),
        ({"keywords": "Network,GAN"}, f"{ALL}: on Network, GAN"),
        ({"authors": "Dunson", "keywords": "*"}, f"{ALL}: papers by Dunson"),
        ({"authors": "Dunson,Ramírez"}, f"{ALL}: papers by Dunson or Ramírez"),
        ({"exclude": "survey"}, f"{ALL}: without survey"),
        ({"keywords": "*"}, f"{ALL} (all papers)"),
        ({}, ALL),
    ],
)
def test_the_title_names_the_interest_liked_papers_keywords_and_authors(params, title):
    assert channel_title(parse_query(params, CONFIG)) == title


def test_titles_of_different_feeds_differ():
    queries = [{}, {"interest": "diffusion"}, {"like": "2609.26811"}, {"keywords": "Network"}, {"authors": "Dunson"}]
    titles = {channel_title(parse_query(q, CONFIG)) for q in queries}
    assert len(titles) == len(queries)


def test_a_keyword_path_names_its_keywords_once_and_then_the_rest():
    query = parse_query({"keywords": "RL", "authors": "Dunson", "categories": "cs.CL"}, CONFIG, keyword="LLM")
    assert channel_title(query) == "arXiv: LLM, RL in cs.CL; papers by Dunson"


def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis():
    assert shorten("momentum orthogonalized by Newton-Schulz", 20) == "momentum\u2026"
    assert shorten("short enough", 20) == "short enough"
    assert shorten("a" * 50, 10) == "a" * 9 + "\u2026"
    assert len(shorten(LONG, 40)) <= 40


def test_a_profile_feed_title_is_its_name_or_made_from_its_interest():
    assert profile_channel_title("Robots weekly", "robots") == "Robots weekly"
    assert profile_channel_title("", LONG) == "arXiv: my feed \u2014 sparse attention mechanisms for\u2026"
    assert profile_channel_title("", "") == "arXiv: my feed"


NOW = datetime(2026, 9, 24, 12, tzinfo=UTC)


@pytest.fixture
def client(tmp_path):
    with app_clients(tmp_path, MEANING_CONFIG, NOW) as make:
        yield make(seed=seed)[0]


def feed_title(client, feed_url: str) -> str:
    response = client.get(feed_url.removeprefix("http://testserver") + "?format=json")
    assert response.status_code == 200, response.text
    return json.loads(response.text)["title"]


def test_a_profile_named_over_the_api_carries_its_name_and_can_be_renamed(client):
    created = client.post("/api/profiles", json={"name": "Robots weekly", "interest": "robots", "days": 1})
    assert created.status_code == 201, created.text
    body = created.json()
    assert feed_title(client, body["feed_url"]) == "Robots weekly"
    token = body["edit_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/profiles/{token}").json()["name"] == "Robots weekly"
    renamed = client.put(f"/api/profiles/{token}", json={"name": "Walking machines", "interest": "robots", "days": 1})
    assert renamed.status_code == 200, renamed.text
    assert feed_title(client, body["feed_url"]) == "Walking machines"


def test_an_unnamed_profile_is_titled_by_its_interest(client):
    body = client.post("/api/profiles", json={"interest": "robots that walk", "days": 1}).json()
    assert feed_title(client, body["feed_url"]) == "arXiv: my feed \u2014 robots that walk"


def test_a_name_too_long_is_a_400_naming_name(client):
    response = client.post("/api/profiles", json={"name": "x" * 101, "interest": "robots"})
    assert response.status_code == 400 and "name" in response.text


def test_the_edit_page_shows_and_saves_the_name(client):
    body = client.post("/api/profiles", json={"interest": "robots", "days": 1}).json()
    page = body["edit_url"].removeprefix("http://testserver")
    html = client.get(page).text
    assert 'name="name"' in html and "arXiv: my feed \u2014 robots" in html
    form = {"name": "My robots", "interest": "robots", "days": "1", "limit": "30", "rank": "hybrid"}
    saved = client.post(page, data=form)
    assert saved.status_code == 200, saved.text
    assert 'value="My robots"' in saved.text
    assert feed_title(client, body["feed_url"]) == "My robots"
