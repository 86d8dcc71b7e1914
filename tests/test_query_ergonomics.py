"""Nothing in a feed query is silently ignored or misread: unknown parameters are named
with the nearest known one (HTTP and CLI), quoted phrases and path keyword lists mean
what a user means, author names match without accents, numbers are ASCII digits,
ties list the newest paper first, and the title says what the feed holds.

Papers are small hand-made values (tests.support.papers); the HTTP cases go through the
real app over a seeded SQLite store (tests.support.app_client)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import feedparser
import pytest

import cli.main as cli
from core.config import Keyword
from core.errors import BadQuery
from core.feeds.channel import channel_title
from core.rank.query import PARAMETERS, parse_query
from core.rank.selection import select_papers
from tests.support.app_client import app_clients
from tests.support.papers import paper
from tests.support.seed import scored_day, seed_config, seed_config_raw

CONFIG = seed_config()
TODAY = "2026-09-23"
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)


def q(params=(), **path):
    return parse_query(params, CONFIG, **path)


def day_of(date, *papers):
    return scored_day(date, [replace(p, announced=date) for p in papers], CONFIG)


def ids(scored):
    return [s.paper.id for s in scored]


@pytest.fixture
def client(tmp_path):
    with app_clients(tmp_path, CONFIG, NOON) as make:
        yield make()[0]


# Unknown parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, nearest",
    [("keyword", "keywords"), ("categorie", "categories"), ("FORMAT", "format"), ("limt", "limit")],
)
def test_an_unknown_parameter_is_a_400_naming_it_and_the_nearest_known_one(client, name, nearest):
    response = client.get("/feed", params={name: "LLM"})
    assert response.status_code == 400 and response.headers["cache-control"] == "no-store"
    error = response.json()["error"]
    assert error["parameter"] == name and f'did you mean "{nearest}"?' in error["message"]


def test_an_unknown_parameter_like_no_other_lists_the_known_ones(client):
    error = client.get("/feed/cs.AI", params={"zzz": "1"}).json()["error"]
    assert error["parameter"] == "zzz" and ", ".join(sorted(PARAMETERS)) in error["message"]


@pytest.mark.parametrize("name", ["utm_source", "utm_campaign", "fbclid", "gclid"])
def test_tracking_tags_that_sharing_appends_are_ignored(client, name):
    assert client.get("/feed", params={name: "x"}).content == client.get("/feed").content


def test_the_cli_refuses_an_unknown_key_in_one_line_naming_the_nearest(tmp_path, capsys, monkeypatch):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(seed_config_raw()))
    monkeypatch.setenv("ARXIV_RSS_DB", str(tmp_path / "store.sqlite3"))
    code = cli.main(["--config", str(config), "feed", "keyword=LLM"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("error: keyword:") and 'did you mean "keywords"?' in err


# Quoted phrases and path keyword lists -----------------------------------------------------------


@pytest.mark.parametrize(
    "value, terms",
    [
        ('"large language model"', ["large language model"]),
        ("\u201clarge language model\u201d", ["large language model"]),
        ('"vision, language", RL', ["vision, language", "RL"]),
        ("'diffusion', GAN", ["diffusion", "GAN"]),
        ('a"b,c', ['a"b', "c"]),  # an unclosed quote is a character like any other
    ],
)
def test_quotes_around_a_keyword_are_not_part_of_it(value, terms):
    assert [k.text for k in q({"keywords": value}).keywords] == terms


def test_a_quoted_phrase_matches_the_phrase():
    days = [
        day_of(
            TODAY,
            paper("2609.00001", title="Large language models as judges"),
            paper("2609.00002", title="A language model for large graphs"),
        )
    ]
    chosen = select_papers(days, q({"keywords": '"large language model"'}), CONFIG)
    assert ids(chosen) == ["2609.00001"]


def test_a_quoted_term_with_a_comma_survives_the_feeds_own_url():
    query = q({"keywords": '"vision, language",RL'})
    assert q(query.url_params).canonical == query.canonical


def test_a_path_keyword_list_means_several_keywords_like_the_parameter():
    path = q(keyword="LLM,RL")
    assert path.keywords == (Keyword("LLM"), Keyword("RL"))
    assert path.path == "/feed/keyword/LLM,RL" and channel_title(path) == "arXiv: LLM, RL"
    assert q(keyword=path.keyword).canonical == path.canonical


def test_the_path_keyword_list_serves_the_papers_of_the_keywords_parameter(client):
    by_path = client.get("/feed/keyword/LLM,RL", params={"format": "json"}).json()["items"]
    by_param = client.get("/feed", params={"keywords": "LLM,RL", "format": "json"}).json()["items"]
    assert by_path and [i["id"] for i in by_path] == [i["id"] for i in by_param]


def test_a_star_is_not_a_path_keyword():
    with pytest.raises(BadQuery) as caught:
        q(keyword="*")
    assert caught.value.parameter == "keyword"


# Author names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asked, name",
    [
        ("Ramirez", "Aurora Ramírez"),
        ("ramírez", "AURORA RAMIREZ"),
        ("Soren", "Søren Kierkegaard"),
        ("lukasz", "Łukasz Kaiser"),
        ("strasse", "Anna Straße"),
        ("Muller", "Jörg Müller"),
    ],
)
def test_authors_match_ignoring_accents_and_case_on_both_sides(asked, name):
    days = [
        day_of(
            TODAY,
            paper("2609.00001", title="LLM", authors=("Ada Lovelace", name)),
            paper("2609.00002", title="LLM", authors=("Grace Hopper",)),
        )
    ]
    assert ids(select_papers(days, q({"authors": asked}), CONFIG)) == ["2609.00001"]


def test_an_author_term_with_nothing_left_to_look_for_is_refused():
    with pytest.raises(BadQuery) as caught:
        q({"authors": "\u0301"})  # a lone combining accent
    assert caught.value.parameter == "authors"


# Numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value",
    [("limit", "١٠"), ("limit", "１０"), ("days", "२"), ("min_score", "１.5"), ("min_score", "1.٥")],
)
def test_only_ascii_digits_are_numbers(client, name, value):
    with pytest.raises(BadQuery) as caught:
        q({name: value})
    assert caught.value.parameter == name
    response = client.get("/feed", params={name: value})
    assert response.status_code == 400 and response.json()["error"]["parameter"] == name


# Ties ------------------------------------------------------------------------------------------


def test_on_one_day_the_new_papers_come_before_replacements_of_older_ones():
    days = [
        day_of(
            TODAY,
            paper("2401.00007", title="LLM", announce_type="replace", version=3),
            paper("2609.00002", title="LLM"),
            paper("hep-ex/0406020", title="LLM", announce_type="replace-cross", version=2),
            paper("2609.00010", title="LLM", announce_type="cross"),
        ),
        day_of("2026-09-22", paper("2609.00001", title="LLM")),
    ]
    newest_first = ["2609.00010", "2609.00002", "2401.00007", "hep-ex/0406020", "2609.00001"]
    for sort in ("date", "score"):
        assert ids(select_papers(days, q({"types": "*", "sort": sort, "days": "2"}), CONFIG)) == newest_first
        custom = q({"types": "*", "sort": sort, "days": "2", "keywords": "llm"})
        assert ids(select_papers(days, custom, CONFIG)) == newest_first
    everything = q({"types": "*", "sort": "date", "days": "2", "keywords": "*"})
    assert ids(select_papers(days, everything, CONFIG)) == newest_first


# Titles ----------------------------------------------------------------------------------------

ALL_ALSO = "arXiv cs.LG papers also in cs.AI (all papers)"


@pytest.mark.parametrize(
    "params, path, title",
    [
        ({"categories": "cs.AI"}, {"category": "cs.LG"}, "arXiv cs.LG papers also in cs.AI"),
        ({"categories": "cs.AI,cs.CL"}, {"category": "cs.LG"}, "arXiv cs.LG papers also in cs.AI or cs.CL"),
        ({"categories": "cs.AI,cs.LG"}, {"category": "cs.LG"}, "arXiv cs.LG"),
        ({"categories": "cs.CL"}, {}, "arXiv cs.CL"),
        ({"categories": "cs.CL"}, {"keyword": "LLM"}, "arXiv: LLM in cs.CL"),
        ({"keywords": "*", "categories": "cs.AI"}, {"category": "cs.LG"}, ALL_ALSO),
    ],
)
def test_the_title_describes_what_a_category_and_categories_feed_holds(params, path, title):
    assert channel_title(q(params, **path)) == title


def test_a_category_feed_narrowed_by_categories_holds_and_says_the_same(client):
    response = client.get("/feed/cs.LG", params={"categories": "cs.AI", "format": "atom"})
    feed = feedparser.parse(response.content)
    assert feed.feed.title == "arXiv cs.LG papers also in cs.AI"
    assert feed.entries and all({"cs.LG", "cs.AI"} <= {t.term for t in e.tags} for e in feed.entries)
