"""Feed queries: validation into a FeedQuery (core.rank.query) and what a query selects (core.rank.selection)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.config import Keyword
from core.errors import BadQuery
from core.rank.query import parse_query
from core.rank.scoring import compile_profile, score_paper
from core.rank.selection import select_papers, summaries_of
from tests.support.papers import paper
from tests.support.seed import scored_day, seed_config

CONFIG = seed_config(min_score=1.0)


def q(params=(), **path):
    return parse_query(params, CONFIG, **path)


# Validation ------------------------------------------------------------------------------------


def test_an_empty_query_takes_every_default_from_the_config():
    query = q()
    assert (query.format, query.days, query.limit, query.sort, query.summary) == ("rss", 1, 50, "score", "full")
    assert query.keywords == CONFIG.keywords and query.exclude == CONFIG.exclude_keywords
    assert query.categories == CONFIG.categories and query.types == CONFIG.include_types
    assert query.min_score == CONFIG.min_score and not query.rescore
    assert query.path == "/feed" and query.url == "/feed"


def test_custom_keywords_ask_for_rescoring_and_count_any_match():
    query = q({"keywords": "diffusion, Quantiz*"})
    assert query.keywords == (Keyword("diffusion"), Keyword("Quantiz*"))
    assert query.rescore and query.min_score == 0.0


def test_a_star_means_no_keyword_filter_and_no_exclude_words():
    query = q({"keywords": "*", "exclude": "*"})
    assert query.keywords == () and query.exclude == () and query.rescore


def test_the_path_keyword_comes_first_and_joins_the_keywords_parameter():
    query = q({"keywords": "sparse,llm"}, keyword="LLM")
    assert [k.text for k in query.keywords] == ["LLM", "sparse"]
    assert query.path == "/feed/keyword/LLM"


def test_a_path_category_is_matched_case_insensitively_to_its_served_spelling():
    query = q(category="CS.ai")
    assert query.category == "cs.AI" and query.path == "/feed/cs.AI"


def test_list_parameters_may_repeat_and_junk_parameters_are_ignored():
    query = q([("authors", "Lovelace"), ("authors", "HOPPER"), ("utm_source", "x"), ("fbclid", "y")])
    assert query.authors == ("lovelace", "hopper")
    assert query.url == "/feed?authors=Lovelace,HOPPER"


def test_empty_values_count_as_absent():
    assert q({"keywords": "", "format": " ", "limit": ""}) == q()


@pytest.mark.parametrize(
    "a, b",
    [
        ({"format": "ATOM", "limit": "10"}, [("limit", "10"), ("format", "atom"), ("utm_medium", "feed")]),
        ({"keywords": "llm,rl"}, [("keywords", "llm"), ("keywords", " rl ")]),
        ({"keywords": "llm,LLM,rl"}, {"keywords": "llm,rl"}),
        ({"types": "cross,new"}, {"types": "new,cross"}),
        ({"categories": "cs.LG,cs.AI"}, {"categories": "cs.AI,cs.lg"}),
    ],
)
def test_equivalent_queries_have_the_same_canonical_string(a, b):
    assert q(a).canonical == q(b).canonical


@pytest.mark.parametrize(
    "a, b",
    [
        ({}, {"format": "atom"}),
        ({}, {"keywords": "llm"}),
        ({"keywords": "llm,rl"}, {"keywords": "rl,llm"}),
        ({}, {"summary": "none"}),
        ({}, {"days": "2"}),
        ({}, {"min_score": "0.5"}),
    ],
)
def test_different_queries_have_different_canonical_strings(a, b):
    assert q(a).canonical != q(b).canonical


BAD = [
    ({"format": "xml"}, {}, "format", 400),
    ({"keywords": ",".join(f"k{i}" for i in range(21))}, {}, "keywords", 400),
    ({"keywords": "x" * 101}, {}, "keywords", 400),
    ({"keywords": "llm, - -"}, {}, "keywords", 400),
    ({"keywords": "llm" + "," * 5000}, {}, "keywords", 400),
    ({"keywords": "*,llm"}, {}, "keywords", 400),
    ({"exclude": "y" * 101}, {}, "exclude", 400),
    ({"authors": ",".join(f"a{i}" for i in range(21))}, {}, "authors", 400),
    ({"limit": "201"}, {}, "limit", 400),
    ({"limit": "0"}, {}, "limit", 400),
    ({"limit": "-1"}, {}, "limit", 400),
    ({"limit": "ten"}, {}, "limit", 400),
    ({"days": "15"}, {}, "days", 400),
    ({"days": "0"}, {}, "days", 400),
    ({"min_score": "-1"}, {}, "min_score", 400),
    ({"min_score": "nan"}, {}, "min_score", 400),
    ({"min_score": "1e9"}, {}, "min_score", 400),
    ({"sort": "random"}, {}, "sort", 400),
    ({"summary": "short"}, {}, "summary", 400),
    ({"types": "new,bogus"}, {}, "types", 400),
    ({"categories": "cs.XX"}, {}, "categories", 400),
    ({"categories": "not a category"}, {}, "categories", 400),
    ([("format", "rss"), ("format", "atom")], {}, "format", 400),
    ({}, {"category": "cs..AI"}, "category", 400),
    ({}, {"category": "<script>"}, "category", 400),
    ({}, {"category": "c" * 300}, "category", 400),
    ({}, {"category": "math.CO"}, "category", 404),
    ({}, {"keyword": "k" * 101}, "keyword", 400),
    ({}, {"keyword": "---"}, "keyword", 400),
]


@pytest.mark.parametrize("params, path, parameter, status", BAD)
def test_a_bad_query_raises_bad_query_naming_the_parameter(params, path, parameter, status):
    with pytest.raises(BadQuery) as caught:
        q(params, **path)
    assert (caught.value.parameter, caught.value.status) == (parameter, status)


def test_an_unserved_category_error_lists_the_served_ones():
    with pytest.raises(BadQuery) as caught:
        q(category="math.CO")
    assert "cs.AI, cs.CL, cs.LG" in caught.value.problem


def test_days_may_reach_the_retention_window():
    assert q({"days": str(CONFIG.retention_days)}).days == CONFIG.retention_days


# Selection -------------------------------------------------------------------------------------

TODAY, YESTERDAY = "2026-09-23", "2026-09-22"


def day_of(date, *papers, summaries=None):
    return scored_day(date, [replace(p, announced=date) for p in papers], CONFIG, summaries)


def ids(scored):
    return [s.paper.id for s in scored]


def test_the_default_selection_keeps_matching_papers_of_the_configured_types_best_first():
    days = [
        day_of(
            TODAY,
            paper("1", title="Sparse attention for LLM inference"),
            paper("2", title="LLM agents"),
            paper("3", title="Graph colouring"),
            paper("4", title="A survey of LLM agents"),
            paper("5", title="Sparse LLM", announce_type="replace"),
        )
    ]
    assert ids(select_papers(days, q(), CONFIG)) == ["1", "2"]


def test_the_same_id_on_two_days_is_shown_once_as_its_strongest_announcement():
    days = [
        day_of(TODAY, paper("1", title="LLM v2", announce_type="replace", version=2)),
        day_of(YESTERDAY, paper("1", title="LLM")),
    ]
    chosen = select_papers(days, q({"types": "*"}), CONFIG)
    assert [(s.paper.id, s.paper.announce_type, s.paper.announced) for s in chosen] == [("1", "new", YESTERDAY)]


def test_asking_for_replacements_shows_them_even_when_the_id_was_new_earlier():
    days = [
        day_of(TODAY, paper("1", title="LLM v2", announce_type="replace", version=2)),
        day_of(YESTERDAY, paper("1", title="LLM")),
    ]
    chosen = select_papers(days, q({"types": "replace"}), CONFIG)
    assert [(s.paper.id, s.paper.version) for s in chosen] == [("1", 2)]


def test_a_category_feed_includes_papers_cross_listed_into_it():
    days = [
        day_of(
            TODAY,
            paper("1", title="LLM", categories=("cs.LG", "cs.CL")),
            paper("2", title="LLM", categories=("cs.LG",)),
        )
    ]
    assert ids(select_papers(days, q(category="cs.CL"), CONFIG)) == ["1"]


def test_authors_match_a_substring_of_any_author_case_insensitively():
    days = [
        day_of(
            TODAY,
            paper("1", title="LLM", authors=("Ada Lovelace", "Alan Turing")),
            paper("2", title="LLM", authors=("Grace Hopper",)),
        )
    ]
    assert ids(select_papers(days, q({"authors": "TURING"}), CONFIG)) == ["1"]


def test_custom_keywords_are_scored_with_the_refresh_scoring_code():
    p = paper("1", title="Diffusion models", abstract="Quantized diffusion.", announced=TODAY)
    chosen = select_papers([day_of(TODAY, p)], q({"keywords": "diffusion,quantiz*"}), CONFIG)
    expected = score_paper(p, compile_profile((Keyword("diffusion"), Keyword("quantiz*")), CONFIG.exclude_keywords))
    assert chosen == [expected] and chosen[0].score == 2.5


def test_no_keyword_filter_keeps_unmatched_papers_but_not_excluded_ones():
    days = [day_of(TODAY, paper("1", title="Graph colouring"), paper("2", title="A survey of graphs"))]
    assert ids(select_papers(days, q({"keywords": "*"}), CONFIG)) == ["1"]


def test_min_score_drops_weaker_matches():
    days = [day_of(TODAY, paper("1", title="Sparse LLM"), paper("2", title="Other", abstract="An LLM."))]
    assert ids(select_papers(days, q({"min_score": "2"}), CONFIG)) == ["1"]


def test_sort_by_date_puts_the_newest_day_first_and_limit_cuts():
    days = [
        day_of(TODAY, paper("1", title="LLM")),
        day_of(YESTERDAY, paper("2", title="Sparse LLM inference"), paper("3", title="RL")),
    ]
    assert ids(select_papers(days, q({"sort": "date", "days": "2"}), CONFIG)) == ["1", "2", "3"]
    assert ids(select_papers(days, q({"days": "2", "limit": "2"}), CONFIG)) == ["2", "1"]


def test_summaries_of_several_days_are_merged_newest_first():
    days = [
        day_of(TODAY, summaries={"1": {"text": "new"}}),
        day_of(YESTERDAY, summaries={"1": {"text": "old"}, "2": {"text": "two"}}),
    ]
    assert summaries_of(days) == {"1": {"text": "new"}, "2": {"text": "two"}}
