"""The custom-query fast path gives exactly what scoring every paper gives.

`core.rank.prefilter` claims a superset of the papers each keyword's regex can match;
`core.rank.selection` scores only those, in bound order, and stops early. Both are
checked against the scorer itself:

- per keyword and paper: whenever `score_paper` finds a keyword (in the title, or
  anywhere), the index names the paper as possible there;
- end to end: `select_papers` equals the plain pipeline (every paper scored, then
  `select`, `rank`, limit) for many keyword sets, limits, sorts and filters.

Texts are the real papers of ../shared/fixtures/arxiv (skipped when absent) and,
for the cases nobody recorded, hypothesis-generated text over an alphabet of the
characters the matcher treats specially (derandomized, so runs are repeatable).
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import Config, Keyword
from core.errors import UpstreamError
from core.ingest.dedupe import dedupe
from core.ingest.parse import parse_feed
from core.memo import ObjectMemo
from core.models import Day, Paper, Scored
from core.rank.prefilter import DayIndex, Need, index_of, keyword_needs, simple_word, stored_words
from core.rank.query import FeedQuery
from core.rank.scoring import compile_profile, rank, score_all, score_paper, select, term_pattern
from core.rank.selection import select_papers
from tests.conftest import SHARED_FIXTURES, shared_fixture

KEYWORD_SETS = [
    ("diffusion", "transformer", "graph neural network", "reinforcement learning", "quantiz*"),
    ("LLM", "LLMs", "policy", "efficiency", "agent"),
    ("language model", "language-model", "large language models", "benchmark", "robust*"),
    ("C++", "k-NN", "(a)", "3D", "RL"),
    ("machine learning", "machine-learning", "deep\nlearning", "self-supervised", "fine-tuning"),
    ("mixture of experts", "speculative decoding", "kv cache", "retrieval", "privacy"),
    ("ébert", "schrödinger", "naïve bayes", "über", "μ-law"),
    ("data", "test*", "s", "a", "the"),
    ("test", "testing", "tests", "study", "studies"),
    ("approach", "process", "loss", "bias", "class"),
    ("x", "e", "q*", "0", "1*"),
    ("neural", "network", "networks", "neural network", "neural-network"),
    ("zzzz never", "qqqq*", "learning", "theorem", "causal"),
    ("_underscore", "a_b", "-", "+", "ü"),
    ("quantum", "physics", "particle*", "astro*", "galax*"),
]
EXCLUDES = [(), ("survey",), ("review", "a"), ("benchmark*",)]
CONFIG = Config(categories=("cs.LG", "cs.AI", "cs.CL", "stat.ML"), keywords=())


@pytest.fixture(params=["vectorised", "plain"])
def sums(request, monkeypatch):
    """Runs a check with keyword postings summed by numpy, and again summed in plain Python
    (as an instance sums them until numpy is loaded)."""
    import numpy

    from core.rank import postings

    monkeypatch.setattr(postings, "loaded_numpy", (lambda: numpy) if request.param == "vectorised" else (lambda: None))


def fixture_papers() -> list[Paper]:
    """Every paper of every real fixture that parses, first record per id."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"real arXiv fixtures not found at {SHARED_FIXTURES}")
    papers: dict[str, Paper] = {}
    for path in sorted(SHARED_FIXTURES.iterdir()):
        if path.suffix not in (".xml", ".rdf"):
            continue
        try:
            found = parse_feed(shared_fixture(path.name)).papers
        except UpstreamError:
            continue
        for p in found:
            papers.setdefault(p.id, p)
    return list(papers.values())


def three_days(papers: list[Paper]) -> list[Day]:
    """The papers spread over three announcement days (newest first), with announce types
    rotated and some ids on two days (as a replacement, or cross-listed with other text)."""
    types = ("new", "cross", "replace", "replace-cross")
    dates = ("2026-09-24", "2026-09-23", "2026-09-22")
    rows: list[list[Scored]] = [[], [], []]
    for n, p in enumerate(papers):
        d = n % 3
        rows[d].append(Scored(replace(p, announce_type=types[n % 4], announced=dates[d], categories=_cats(n)), 0.0))
        if n % 7 == 0:  # the same id again on an older day, same text
            older = (d + 1) % 3
            rows[older].append(Scored(replace(p, announce_type="new", announced=dates[older], version=1), 0.0))
        if n % 11 == 0:  # the same id again with another title (dedupe keeps one record's text)
            other = (d + 2) % 3
            rows[other].append(
                Scored(
                    replace(
                        p,
                        title=p.title + " revisited",
                        announce_type="cross",
                        announced=dates[other],
                        categories=("cs.CL",),
                    ),
                    0.0,
                )
            )
    return [Day(date, tuple(row)) for date, row in zip(dates, rows, strict=True)]


def _cats(n: int) -> tuple[str, ...]:
    return (("cs.LG",), ("cs.AI", "cs.LG"), ("stat.ML",), ("cs.CL", "cs.AI"))[n % 4]


def custom(keywords, exclude=(), limit=50, sort="score", min_score=0.0, **fields) -> FeedQuery:
    defaults = dict(
        types=("new", "cross", "replace", "replace-cross"), categories=("cs.LG", "cs.AI", "cs.CL", "stat.ML")
    )
    return FeedQuery(
        keywords=tuple(Keyword(k) if isinstance(k, str) else k for k in keywords),
        exclude=tuple(exclude),
        limit=limit,
        sort=sort,
        min_score=min_score,
        rescore=True,
        **{**defaults, **fields},
    )


def score_everything(days, query: FeedQuery) -> list[Scored]:
    """The plain pipeline the fast path must equal: every kept paper scored."""
    stored = [s for day in days for s in day.papers if s.paper.announce_type in query.types]
    papers = [p for p in dedupe(s.paper for s in stored) if _wanted(p, query)]
    profile = compile_profile(query.keywords, query.exclude)
    chosen = select(score_all(papers, profile), min_score=query.min_score, profile=profile)
    if query.sort == "date":
        return sorted(rank(chosen), key=lambda s: s.paper.announced, reverse=True)[: query.limit]
    return rank(chosen)[: query.limit]


def _wanted(p: Paper, query: FeedQuery) -> bool:
    if query.category and query.category not in p.categories:
        return False
    if not any(c in p.categories for c in query.categories):
        return False
    return not query.authors or any(a in name.casefold() for a in query.authors for name in p.authors)


def possible_ids(day: Day, keyword: str, title: bool) -> set[str]:
    positions = index_of(day).possible(keyword_needs(keyword), title=title)
    return {day.papers[pos].paper.id for pos in positions}


def found_ids(day: Day, keyword: str, title: bool) -> set[str]:
    profile = compile_profile([Keyword(keyword)])
    out = set()
    for s in day.papers:
        matches = score_paper(s.paper, profile).matches
        if matches and (matches[0].in_title or not title):
            out.add(s.paper.id)
    return out


# What a keyword needs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "needs"),
    [
        ("LLM", (Need(("llm", "llms", "llmes")),)),
        ("policy", (Need(("policy", "policies")),)),
        ("key", (Need(("key", "keys", "keyes")),)),
        ("Quantiz*", (Need(prefix="quantiz"),)),
        ("machine learning", (Need(("machine",)), Need(("learning", "learnings", "learninges")))),
        ("C++", (Need(("c",)),)),
        ("k-NN", (Need(("k",)), Need(("nn", "nns", "nnes")))),
        ("3D", (Need(("3d", "3ds", "3des")),)),
        ("GPT-4", (Need(("gpt",)), Need(("4",)))),
        ("ébert", (Need(("bert", "berts", "bertes")),)),
        ("naïve", (Need(("na",)), Need(("ve", "ves", "vees")))),
        ("+", ()),
        ("ü", ()),
        ("-", None),
        ("  ", None),
    ],
)
def test_a_keyword_needs_a_token_for_each_ascii_run(keyword, needs):
    assert keyword_needs(keyword) == needs


# The superset, on real papers ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built_days() -> list[Day]:
    return three_days(fixture_papers())


@pytest.fixture(scope="module")
def stored_days(built_days) -> list[Day]:
    """The three days read back from their stored parts (core.store.layout.StoredRecords):
    the first query makes only the records it asks for, and every pool is filtered and
    deduplicated from the rows."""
    from core.store.layout import day_from_parts, day_parts, decode, encode

    stored = [
        day_from_parts(d.date, [decode(encode(p), "day") for p in day_parts(d, stored_words)]) for d in built_days
    ]
    assert all(not isinstance(d.papers, tuple) for d in stored)  # compared whole, it would make them all
    return stored


@pytest.fixture(params=["built", "stored"])
def real_days(request, built_days, stored_days) -> list[Day]:
    """The three days as built (records in tuples), and as read back from the store."""
    return built_days if request.param == "built" else stored_days


def test_the_real_fixtures_give_enough_papers_to_mean_something(real_days):
    assert sum(len(d.papers) for d in real_days) > 300


@pytest.mark.parametrize("keyword", sorted({k for ks in KEYWORD_SETS for k in ks} | {"survey", "review"}))
def test_every_real_paper_the_scorer_matches_is_possible(real_days, keyword):
    for day in real_days:
        for title in (False, True):
            assert found_ids(day, keyword, title) <= possible_ids(day, keyword, title)


@pytest.mark.parametrize("keywords", KEYWORD_SETS)
@pytest.mark.parametrize("exclude", EXCLUDES)
def test_custom_queries_on_real_papers_equal_scoring_every_paper(real_days, keywords, exclude, sums):
    for limit in (1, 7, 50, 200):
        for sort in ("score", "date"):
            query = custom(keywords, exclude, limit=limit, sort=sort)
            assert select_papers(real_days, query, CONFIG) == score_everything(real_days, query)


@pytest.mark.parametrize("keywords", KEYWORD_SETS)
def test_without_postings_the_bounded_exact_scoring_gives_the_same_papers(real_days, keywords, monkeypatch):
    from core.rank import postings

    monkeypatch.setattr(postings, "BUILD_BUDGET", 0)  # no regex may run to build postings
    postings._POSTINGS.clear()
    queries = [custom(keywords, ("survey",), limit=20, sort=sort) for sort in ("score", "date")]
    for query in queries:  # what postings cost no regex (plain words, unmatched phrases) serve
        assert select_papers(real_days, query, CONFIG) == score_everything(real_days, query)
    monkeypatch.setattr(postings, "postings_ready", lambda *args, **kwargs: False)  # the bounded path alone
    for query in queries:
        assert select_papers(real_days, query, CONFIG) == score_everything(real_days, query)


def test_postings_are_built_within_the_budget_and_then_serve_alone(real_days):
    from core.rank import postings

    postings._POSTINGS.clear()
    profile = compile_profile((Keyword("learning"), Keyword("graph neural network")), ("survey",))
    assert not postings.postings_ready(real_days, profile, budget=0)
    assert postings.postings_ready(real_days, profile, budget=10**6)
    assert postings.postings_ready(real_days, profile, budget=0)  # all known now: nothing to build


@pytest.mark.parametrize(
    "fields",
    [
        dict(min_score=1.5),
        dict(min_score=2.25, limit=3),
        dict(types=("new",)),
        dict(types=("replace", "cross")),
        dict(category="cs.AI"),
        dict(categories=("cs.CL",)),
        dict(authors=("a",)),
    ],
)
def test_filters_and_thresholds_give_the_same_papers_as_scoring_every_paper(real_days, fields, sums):
    for keywords in KEYWORD_SETS[:6]:
        query = custom(keywords, **fields)
        assert select_papers(real_days, query, CONFIG) == score_everything(real_days, query)
        assert select_papers(real_days[1:], query, CONFIG) == score_everything(real_days[1:], query)


def test_weights_and_ties_give_the_same_order_as_scoring_every_paper(real_days, sums):
    weighted = [Keyword("learning", 2.5), Keyword("model", 0.3), Keyword("data", 1.0 / 3), Keyword("network", 7.0)]
    for limit in (1, 3, 10, 40):
        query = custom(weighted, limit=limit)
        assert select_papers(real_days, query, CONFIG) == score_everything(real_days, query)


def test_no_keywords_with_other_exclude_words_scores_every_paper(real_days):
    query = custom((), ("survey",), limit=200)
    assert select_papers(real_days, query, CONFIG) == score_everything(real_days, query)


def test_the_same_days_and_filters_reuse_the_kept_papers_and_the_index(real_days):
    first = select_papers(real_days, custom(KEYWORD_SETS[0]), CONFIG)
    index = index_of(real_days[0])
    assert select_papers(real_days, custom(KEYWORD_SETS[1]), CONFIG) == score_everything(
        real_days, custom(KEYWORD_SETS[1])
    )
    assert index_of(real_days[0]) is index
    assert select_papers(real_days, custom(KEYWORD_SETS[0]), CONFIG) == first


def test_an_instance_sums_in_plain_python_until_numpy_has_loaded_in_the_background():
    code = (
        "import sys, threading\n"
        "from core.rank import postings\n"
        "print('numpy' in sys.modules, postings.loaded_numpy())\n"
        "[t.join() for t in threading.enumerate() if t.name == 'load-numpy']\n"
        "print(postings.loaded_numpy() is sys.modules['numpy'])\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["False None", "True"]


@settings(derandomize=True, max_examples=400, deadline=None)
@given(
    count=st.one_of(st.sampled_from([0, 1, 255, 256, 257, 1500, 2000, 65535]), st.integers(0, 70000)),
    values=st.lists(st.integers(0, 65535), max_size=40),
    below=st.booleans(),
)
def test_a_stored_index_s_positions_are_checked_against_the_day_s_size_as_max_would(count, values, below):
    from array import array

    from core.rank.prefilter import _beyond

    if below:
        values = [v % count for v in values] if count else []
    raw = memoryview(array("H", values).tobytes() if sys.byteorder == "little" else _swapped(values))
    assert _beyond(raw, count) == (bool(values) and max(values) >= count)


def _swapped(values: list[int]) -> bytes:
    from array import array

    a = array("H", values)
    a.byteswap()
    return a.tobytes()


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.25, 3.0]), max_size=60),
    count=st.integers(1, 70),
    seed=st.integers(0, 1000),
)
def test_the_best_first_are_those_of_sorting_every_paper_ties_included(values, count, seed):
    import random

    import numpy as np

    from core.rank.postings import best_first

    n = len(values) + 5
    recency = np.array(random.Random(seed).sample(range(n), n), np.int64)  # a place per pool paper
    chosen = np.array(sorted(random.Random(seed + 1).sample(range(n), len(values))), np.int64)
    vals = np.array(values, np.float64)
    full = chosen[np.lexsort((-recency[chosen], -vals))][:count]
    assert best_first(np, chosen, vals, recency, count).tolist() == full.tolist()


# The superset, on generated text -------------------------------------------------------------

# Letters and digits, the plural endings, separators the phrase regex accepts (including
# Unicode hyphens and a newline), punctuation, and non-ASCII characters whose lower case is
# special: Kelvin sign (-> ASCII k), dotted capital I (-> i + combining dot), final sigma.
ALPHABET = "aeiknsy0123ABKSY  -\n\u2010\u2011+_.()*'éÉİΣσ\u212aü"
TEXT = st.text(st.sampled_from(ALPHABET), max_size=40)
KEYWORD = st.text(st.sampled_from(ALPHABET), min_size=1, max_size=8)


@settings(derandomize=True, max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, abstract=TEXT, keyword=KEYWORD)
def test_whatever_the_scorer_finds_in_generated_text_is_possible(title, abstract, keyword):
    paper = Paper("2609.00001", 1, title, abstract, ("A",), ("cs.LG",), "new", "2026-09-24")
    index = DayIndex([Scored(paper, 0.0)])
    matches = score_paper(paper, compile_profile([Keyword(keyword)])).matches
    needs = keyword_needs(keyword)
    if matches:
        assert 0 in index.possible(needs)
    if matches and matches[0].in_title:
        assert 0 in index.possible(needs, title=True)


# One plain word or prefix, of the letters the alphabet's texts use most.
SIMPLE = st.builds(
    lambda w, star: w + star, st.text(st.sampled_from("aeiknsy01"), min_size=1, max_size=4), st.sampled_from(("", "*"))
)


@settings(derandomize=True, max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, abstract=TEXT, keyword=SIMPLE)
def test_a_plain_word_is_matched_exactly_from_the_index_and_the_rest_left_to_its_regex(title, abstract, keyword):
    paper = Paper("2609.00001", 1, title, abstract, ("A",), ("cs.LG",), "new", "2026-09-24")
    index = DayIndex([Scored(paper, 0.0)])
    regex = re.compile(term_pattern(keyword))
    assert simple_word(keyword) and len(keyword_needs(keyword)) == 1
    for in_title, matched in (
        (True, regex.search(title.lower()) is not None),
        (False, regex.search(title.lower()) is not None or regex.search(abstract.lower()) is not None),
    ):
        sure, maybe = index.exact(keyword_needs(keyword)[0], title=in_title)
        assert not sure & maybe
        if 0 in sure:
            assert matched
        if matched:
            assert 0 in sure | maybe


def test_a_plain_word_costs_no_regex_where_no_underscore_or_non_ascii_letter_touches_it():
    from core.rank.postings import _candidates, postings

    texts = ["Learning rates for learning", "naïve learning_rate", "Graph-based learning", "graphé theory"]
    day = Day(
        "2026-09-24",
        tuple(
            Scored(Paper(f"2609.0000{n}", 1, t, "", ("A",), ("cs.LG",), "new", "2026-09-24"), 0.0)
            for n, t in enumerate(texts)
        ),
    )
    assert _candidates(day, "theory", False) == 0  # a whole run wherever it is: no regex
    assert _candidates(day, "learning", False) == 1  # only inside "learning_rate" there: the regex decides
    assert _candidates(day, "graph*", True) == 1  # "graphé" may start a longer run: the regex decides
    assert list(postings(day, "learning").pos) == [0, 2] and list(postings(day, "theory").pos) == [3]
    assert list(postings(day, "rate").pos) == [0] and list(postings(day, "rates").pos) == [0]
    assert list(postings(day, "graph*", title_only=True).pos) == [2, 3]
    assert list(postings(day, "na").pos) == []


def test_an_index_stored_before_partial_tokens_is_read_and_leaves_every_candidate_to_the_regex(real_days):
    import struct

    from core.rank.prefilter import Postings

    day = real_days[0]
    current = DayIndex(day.papers)
    # the version 1 form: the same head and postings, without the partial ones
    old = struct.pack("<2I", 1, current.count) + current.anywhere.to_stored() + current.title.to_stored()
    read = DayIndex.from_stored(old, len(day.papers))
    assert read is not None and read.partial is None
    need = keyword_needs("learning")[0]
    assert read.exact(need) is None and current.exact(need) is not None
    again = DayIndex.from_stored(current.to_stored(), len(day.papers))
    assert isinstance(again.partial[True], Postings)
    assert again.exact(need) == current.exact(need) and again.exact(need, title=True) == current.exact(need, True)
    # a day whose stored index is the old one gives what scoring every paper gives
    old_day = Day(day.date, day.papers, day.summaries, [(0, old)])
    query = custom(("learning", "graph*", "neural network"), ("survey",), limit=20)
    assert select_papers([old_day], query, CONFIG) == score_everything([old_day], query)


DAY_TEXTS = st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=25)


@settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    # `sums` sets one way of summing for every example, as meant
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    texts=DAY_TEXTS,
    keywords=st.lists(KEYWORD, min_size=1, max_size=4),
    exclude=st.lists(KEYWORD, max_size=2),
    limit=st.integers(1, 6),
    sort=st.sampled_from(("score", "date")),
)
def test_generated_days_give_the_same_feed_as_scoring_every_paper(texts, keywords, exclude, limit, sort, sums):
    rows: list[list[Scored]] = [[], []]
    for n, (title, abstract) in enumerate(texts):
        p = Paper(
            f"2609.{n % 9:05d}",
            1 + n % 2,
            title,
            abstract,
            ("A",),
            ("cs.LG",),
            ("new", "cross")[n % 2],
            ("2026-09-24", "2026-09-23")[n % 2],
        )
        rows[n % 2].append(Scored(p, 0.0))
    days = [Day("2026-09-24", tuple(rows[0])), Day("2026-09-23", tuple(rows[1]))]
    query = custom(keywords, exclude, limit=limit, sort=sort, categories=("cs.LG",))
    assert select_papers(days, query, CONFIG) == score_everything(days, query)


# Identity-keyed memo -------------------------------------------------------------------------


class Thing:
    pass


def test_a_memo_entry_is_built_once_per_live_object_and_dropped_with_it():
    memo, built = ObjectMemo(8), []
    a, b = Thing(), Thing()
    for _ in range(3):
        assert memo.get((a, b), "x", lambda: built.append(1) or len(built)) == 1
    assert memo.get((a,), "x", lambda: 2) == 2 and len(memo) == 2
    del a
    gc.collect()
    assert len(memo) == 0


def test_a_memo_never_answers_for_a_new_object_at_an_old_address():
    memo = ObjectMemo(8)
    for n in range(50):  # freed objects' addresses are reused at once: each must build afresh
        assert memo.get((Thing(),), None, lambda n=n: n) == n


def test_a_memo_keeps_at_most_its_size():
    memo, things = ObjectMemo(3), [Thing() for _ in range(5)]
    for t in things:
        memo.get((t,), None, object)
    assert len(memo) == 3


def test_a_memo_entry_looked_at_with_touch_counts_as_used_and_without_it_does_not():
    memo, things = ObjectMemo(2), [Thing() for _ in range(3)]
    for t in things[:2]:
        memo.get((t,), None, lambda t=t: t)
    assert memo.held((things[0],), None) is things[0]  # recency unchanged: the oldest still
    assert memo.held((things[2],), None, touch=True) is None  # not held, and nothing built
    memo.get((things[2],), None, lambda: things[2])
    assert memo.held((things[0],), None) is None and memo.held((things[1],), None, touch=True) is things[1]
    memo.get((things[0],), None, lambda: things[0])  # drops the least recent: the untouched one
    assert memo.peek((things[1],), None) and not memo.peek((things[2],), None)
