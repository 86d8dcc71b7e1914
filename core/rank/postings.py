"""Custom keyword queries scored from per-day keyword postings, in one pass over the hits.

    postings(day, "graph neural network")   # where in the day the keyword matches, exactly
    ranked_by_postings(days, pool, profile, query)

A keyword's postings on a day are the positions of the papers it matches and whether
it is in each one's title: found once per (day, keyword) with the scorer's own regex
(core.rank.scoring.term_pattern) on the papers core.rank.prefilter says it can match (for a
plain word or prefix, only on the few its index cannot decide), then kept while the day
lives. A query's scores are then sums of its keywords' postings over the pool, so a query
made of keywords seen before runs no regex at all, and only the papers shown are turned
into `Scored` records. The sums are vectorised with numpy once it is
loaded (a few hundred microseconds a query, against about 1.5 ms summed hit by hit).
Until then they run in plain Python, so a cold instance's first keyword query does not
wait about 80 ms for numpy: that query starts loading it on a background thread. Both
give the scores, matches, exclusions and order of scoring every paper
(tests/test_prefilter.py checks each against it).
"""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.memo import ObjectMemo, kept
from core.models import Day, Match, Scored, built_scored
from core.rank.prefilter import index_of, keyword_needs, simple_word
from core.rank.scoring import TITLE_BONUS, Profile, recency_keys, term_pattern

POSTINGS_ENTRIES = 16384  # (day, keyword) pairs kept: a few kilobytes each at most
ORDERS = 32
# Papers a request may run the exact regex on to build missing postings (~5 µs each):
# the first uses of a keyword are spread over a few requests, none pays for them all.
BUILD_BUDGET = 3000


@dataclass(frozen=True)
class Postings:
    pos: array  # positions in day.papers, ascending
    title: bytes  # 1 where the keyword is in that paper's title, else 0


EMPTY = Postings(array("q"), b"")
_POSTINGS = kept("rank.postings", ObjectMemo(POSTINGS_ENTRIES))


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str] | None:
    pattern = term_pattern(term)
    return re.compile(pattern) if pattern else None


def _key(term: str, title_only: bool) -> tuple[str, bool]:
    return term.strip().lower(), title_only


def _terms(profile: Profile) -> list[tuple[str, bool]]:
    """The keys of a profile's keywords and (titles only) exclude words."""
    return [_key(k.text, False) for k in profile.keywords] + [_key(w, True) for w in profile.exclude]


def postings(day: Day, term: str, title_only: bool = False) -> Postings:
    """Where `term` matches in `day` (titles only for exclude words)."""
    key = _key(term, title_only)
    return _POSTINGS.get((day,), key, lambda: _find(day, key[0], title_only))


def postings_ready(days: Sequence[Day], profile: Profile, budget: int | None = None, pool=None) -> bool:
    """True when every keyword's and exclude word's postings on every day are known,
    after building missing ones whose candidates fit in `budget` papers in all
    (default BUILD_BUDGET). A word whose hits in `pool` are kept needs nothing more."""
    budget = BUILD_BUDGET if budget is None else budget
    ready = True
    for key in _terms(profile):
        term, title_only = key
        if pool is not None and _HITS.peek((*days, pool), key):
            continue
        for day in days:
            if _POSTINGS.peek((day,), key):
                continue
            cost = _candidates(day, term, title_only)
            if cost > budget:
                ready = False
                continue
            budget -= cost
            postings(day, term, title_only)
    return ready


def kept_hits(days: Sequence[Day], pool, profile: Profile) -> dict[tuple[str, bool], tuple[array, bytes]] | None:
    """The kept hits in `pool` of every keyword and exclude word of `profile`, by term key
    (each marked as used), or None when one is not kept: with them its scores are a few
    vectorised sums and no regex runs (`ranked_by_postings(..., hits=)`)."""
    objects, found = (*days, pool), {}
    for key in _terms(profile):
        hits = _HITS.held(objects, key, touch=True)
        if hits is None:
            return None
        found[key] = hits
    return found


def _candidates(day: Day, term: str, title_only: bool) -> int:
    """How many papers finding `term` on `day` runs its regex on."""
    needs = keyword_needs(term)
    if needs is None:
        return 0
    return len(_split(index_of(day), term, needs, title_only)[1])


def _split(index, term: str, needs, title: bool) -> tuple[set[int], set[int] | range]:
    """(the positions `term` surely matches, those its regex must decide) in the titles
    (`title`) or titles and abstracts of an index's day: exact for one plain word or prefix
    (core.rank.prefilter.DayIndex.exact), else every possible paper for the regex."""
    if simple_word(term):
        found = index.exact(needs[0], title)
        if found is not None:
            return found
    return set(), index.possible(needs, title=title)


def _find(day: Day, term: str, title_only: bool) -> Postings:
    needs = keyword_needs(term)
    regex = _pattern(term)
    if needs is None or regex is None:
        return EMPTY
    index = index_of(day)
    sure_title, maybe_title = _split(index, term, needs, True)
    sure, maybe = (sure_title, maybe_title) if title_only else _split(index, term, needs, False)
    search = regex.search
    pos, title = [], []
    for p in sorted(sure.union(maybe)):
        in_title = p in sure_title or (p in maybe_title and search(day.papers[p].paper.title.lower()) is not None)
        if in_title or p in sure or (not title_only and search(day.papers[p].paper.abstract.lower()) is not None):
            pos.append(p)
            title.append(in_title)
    return Postings(array("q", pos), bytes(title)) if pos else EMPTY


@dataclass(frozen=True)
class _Order:
    """Per pool: each paper's place in `rank` order among equal scores (announcement date,
    then newest id), and its announcement date as a number (int64 arrays; numpy reads them
    without a copy)."""

    recency: array
    announced: array


_ORDERS = kept("rank.pool_orders", ObjectMemo(ORDERS))


def pool_order(pool) -> _Order:
    def build() -> _Order:
        papers = pool.papers
        keys = recency_keys(papers.ids, papers.announced)
        recency = array("q", bytes(8 * len(papers)))
        for place, i in enumerate(sorted(range(len(papers)), key=keys.__getitem__)):
            recency[i] = place
        as_number = {d: int(d.replace("-", "") or 0) for d in set(papers.announced)}  # a few dates
        announced = array("q", map(as_number.__getitem__, papers.announced))
        return _Order(recency, announced)

    return _ORDERS.get((pool,), "order", build)


_HITS = kept("rank.keyword_hits", ObjectMemo(POSTINGS_ENTRIES // 4))


def _hits(days: Sequence[Day], pool, term: str, title_only: bool = False) -> tuple[array, bytes]:
    """(pool indices, in-title flags) where `term` matches, across the days; kept per pool."""
    key = _key(term, title_only)
    return _HITS.get((*days, pool), key, lambda: _pool_hits(days, pool, term, title_only))


def _hit_source(days: Sequence[Day], pool, hits: dict | None):
    """term key -> its hits in `pool`: from `hits` (what `kept_hits` found) when given."""
    if hits is not None:
        return hits.__getitem__
    return lambda key: _hits(days, pool, key[0], key[1])


def _pool_hits(days: Sequence[Day], pool, term: str, title_only: bool) -> tuple[array, bytes]:
    idx, title = array("q"), bytearray()
    for d, day in enumerate(days):
        p = postings(day, term, title_only)
        at = pool.at[d]
        for pos, t in zip(p.pos, p.title, strict=True):
            i = at[pos]
            if i >= 0:
                idx.append(i)
                title.append(t)
    return idx, bytes(title)


_NUMPY: list = []  # numpy, once a background thread has loaded it
_LOADING = threading.Lock()


def loaded_numpy():
    """numpy when it is loaded, else None. The first call that finds it missing starts loading
    it on a background thread (once per process), so later queries sum vectorised."""
    if _NUMPY:
        return _NUMPY[0]
    if _LOADING.acquire(blocking=False):  # never released: one loader per process
        threading.Thread(target=_load_numpy, name="load-numpy").start()
    return None


def _load_numpy() -> None:
    import numpy

    _NUMPY.append(numpy)


@dataclass(frozen=True)
class KeywordScores:
    """A profile's scores over a pool of `n` papers: `score` (n floats, rounded as the scorer
    rounds), `excluded` (n flags, set where an exclude word is in the title), `matched` (the
    pool indices some keyword matches) and, through `patterns`, where each keyword is in a
    paper: -1 missing, 1 in its title, 0 elsewhere. numpy arrays, or (summed in plain
    Python) an array, bytes, a list and a dict of those patterns."""

    score: Sequence[float]
    excluded: Sequence[int]
    matched: Sequence[int]
    where: object  # {i: [flag per keyword]}, or a (keywords x n) int8 numpy array

    def patterns(self, chosen: list[int], count: int) -> list[tuple[int, ...]]:
        """Where each of `count` keywords is in each paper at `chosen`."""
        if isinstance(self.where, dict):
            missing = (-1,) * count
            return [tuple(self.where.get(i, missing)) for i in chosen]
        return list(map(tuple, self.where[:, chosen].T.tolist()))

    def scored(self, papers, chosen: list[int], profile: Profile) -> list[Scored]:
        """The Scored records `core.rank.scoring.score_paper` gives the papers at `chosen`."""
        # A paper's score and matches follow from where each keyword is (-1 missing, 0 not
        # in the title, 1 in it): worked out once per pattern, points summed in keyword
        # order as the scorer sums them, and shared by the papers with that pattern.
        keywords = profile.keywords
        points = [(k.weight, k.weight * (1.0 + TITLE_BONUS)) for k in keywords]
        match_of: dict[tuple[int, int], Match] = {}  # (keyword, in title): at most two each
        by_pattern: dict[tuple[int, ...], tuple[float, tuple[Match, ...]]] = {}
        out = []
        for i, pattern in zip(chosen, self.patterns(chosen, len(keywords)), strict=True):
            found = by_pattern.get(pattern)
            if found is None:
                hit = [(k, f) for k, f in enumerate(pattern) if f >= 0]
                for k, f in hit:
                    if (k, f) not in match_of:
                        match_of[k, f] = Match(keywords[k].text, bool(f), round(points[k][f], 2))
                total = round(sum(points[k][f] for k, f in hit), 2)
                found = by_pattern[pattern] = (total, tuple(match_of[key] for key in hit))
            out.append(built_scored(papers[i], found[0], found[1]))
        return out


def keyword_scores(days: Sequence[Day], pool, profile: Profile, np=None, hits: dict | None = None) -> KeywordScores:
    """The profile's scores over the pool: vectorised when given numpy, else in plain Python;
    from `hits` (`kept_hits`) when given."""
    found = _hit_source(days, pool, hits)
    return _summed(pool, profile, np, found) if np is not None else _added(pool, profile, found)


def _summed(pool, profile: Profile, np, found) -> KeywordScores:
    n = len(pool.papers)
    score = np.zeros(n, np.float64)
    where = np.full((len(profile.keywords), n), -1, np.int8)
    hit = np.zeros(n, bool)
    for k, keyword in enumerate(profile.keywords):
        idx, title = found(_key(keyword.text, False))
        idx, title = np.frombuffer(idx, np.int64), np.frombuffer(title, np.uint8)
        score[idx] += keyword.weight * (1.0 + TITLE_BONUS * title)  # keyword order: the scorer's sum
        where[k, idx] = title
        hit[idx] = True
    excluded = np.zeros(n, bool)
    for word in profile.exclude:
        excluded[np.frombuffer(found(_key(word, True))[0], np.int64)] = True
    matched = np.flatnonzero(hit)
    score[matched] = np.round(score[matched], 2)  # the others are 0.0
    return KeywordScores(score, excluded, matched, where)


def _added(pool, profile: Profile, found) -> KeywordScores:
    n = len(pool.papers)
    sums: dict[int, float] = {}
    where: dict[int, list[int]] = {}
    count = len(profile.keywords)
    for k, keyword in enumerate(profile.keywords):
        idx, title = found(_key(keyword.text, False))
        weight = keyword.weight
        for i, t in zip(idx, title, strict=True):
            sums[i] = sums.get(i, 0.0) + weight * (1.0 + TITLE_BONUS * t)  # keyword order: the scorer's sum
            flags = where.get(i)
            if flags is None:
                flags = where[i] = [-1] * count
            flags[k] = t
    score = array("d", bytes(8 * n))
    for i, total in sums.items():
        score[i] = round(total, 2)
    excluded = bytearray(n)
    for word in profile.exclude:
        for i in found(_key(word, True))[0]:
            excluded[i] = 1
    return KeywordScores(score, bytes(excluded), list(where), where)


def ranked_by_postings(days: Sequence[Day], pool, profile: Profile, query, hits: dict | None = None) -> list[Scored]:
    """The query's result (`limit` papers in `query.sort` order) for a non-empty profile;
    from `hits` (what `kept_hits` found) when given."""
    np = loaded_numpy()
    ks = keyword_scores(days, pool, profile, np, hits)
    order = pool_order(pool)
    if np is not None:
        score = ks.score
        recency, announced = np.frombuffer(order.recency, np.int64), np.frombuffer(order.announced, np.int64)
        chosen = ks.matched[~ks.excluded[ks.matched] & (score[ks.matched] >= query.min_score)]
        if query.sort == "date":
            top = chosen[np.lexsort((-recency[chosen], -score[chosen], -announced[chosen]))][: query.limit]
        else:
            top = best_first(np, chosen, score[chosen], recency, query.limit)
        return ks.scored(pool.papers, top.tolist(), profile)
    score, excluded, low = ks.score, ks.excluded, query.min_score
    chosen = [i for i in ks.matched if not excluded[i] and score[i] >= low]
    recency, announced = order.recency, order.announced
    if query.sort == "date":
        chosen.sort(key=lambda i: (-announced[i], -score[i], -recency[i]))
    else:
        chosen.sort(key=lambda i: (-score[i], -recency[i]))
    return ks.scored(pool.papers, chosen[: query.limit], profile)


def best_first(np, chosen, values, recency, count: int):
    """The first `count` of `chosen` (pool indices) in `rank` order: `values` (one per chosen
    paper) descending, then `recency` (per pool paper) descending. Only the papers whose
    value reaches the `count`-th best are sorted (a partition finds it): every one of the
    first `count` does, ties included, so the order is the full sort's."""
    if len(chosen) > count:
        cut = np.partition(values, len(values) - count)[len(values) - count]
        keep = values >= cut
        chosen, values = chosen[keep], values[keep]
    return chosen[np.lexsort((-recency[chosen], -values))][:count]
