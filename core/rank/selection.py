"""Which papers a feed shows: filter, (re-)score, dedupe, rank and cut. Pure, no I/O.

    days (newest first) -> announce types -> one record per id across days
        -> category / authors filters -> score (stored, or re-scored for a custom profile)
        -> select (not excluded, >= min_score, matched unless no keywords) -> sort -> limit

Types are filtered before deduplication, so asking for `replace` shows a paper's
replacement even when the same id was `new` on an earlier day; among the records
left, the strongest announce type wins (core.ingest.dedupe). Custom keywords are scored
with the same code as the refresh (core.rank.scoring).

A custom profile is scored cheaply, with the same results:

- the papers left after the type, dedupe and category/author steps do not depend on
  the keywords, so they are kept per (days, filters) for the next custom query; they are
  found from the days' columns (core.models.DayColumns), and each paper is made only
  when asked for (`PoolPapers`: a stored day makes its records so);
- when the postings of every keyword on every day are known (core.rank.postings: each
  request builds a bounded amount of missing ones, so keywords in use soon have
  them), the scores are sums of postings in one vectorised step and no regex runs;
- otherwise:
  `core.rank.prefilter` names the papers each keyword can possibly match, from an index
  of each day's words; the others have no match and would be dropped by `select`;
  for the score order, a candidate's score is bounded from those possibilities
  (its weight, with the title bonus only where the title has the keyword's words),
  and exact scoring goes from the highest bound down and stops once `limit` papers
  are chosen that no bound left can beat. Ties are not cut: a paper whose bound
  reaches the last chosen score is still scored, so the rank is the full one.
"""

from __future__ import annotations

import heapq
import itertools
import math
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from core.config import Config
from core.ingest.dedupe import dedupe
from core.memo import ObjectMemo, kept
from core.models import Day, DayColumns, Paper, Scored
from core.rank.prefilter import index_of, keyword_needs
from core.rank.query import FeedQuery
from core.rank.scoring import (
    TITLE_BONUS,
    Profile,
    compile_profile,
    fold,
    id_order,
    rank,
    score_all,
    score_paper,
    select,
)

POOLS = 32  # (days, filters) whose papers are kept for custom queries
ROUND_SLACK = 0.004


def select_papers(days: Sequence[Day], query: FeedQuery, config: Config) -> list[Scored]:
    """The papers to show for `query`, best first, at most `query.limit`, one per id."""
    profile = compile_profile(query.keywords, query.exclude)
    if query.rescore:
        return _rescored(days, query, profile)
    stored = _stored_records(days, query)
    categories = frozenset(query.categories)
    papers = [p for p in dedupe(s.paper for s in stored) if _wanted(p, query, categories)]
    chosen = select(_reuse_scores(papers, stored), min_score=query.min_score, profile=profile)
    return _sorted(chosen, query.sort)[: query.limit]


@dataclass(frozen=True)
class KeptPostings:
    """What earlier queries left for a custom keyword query: its days, its pool (days and
    filters) and every keyword's and exclude word's hits in that pool (`from_kept_postings`)."""

    days: tuple[Day, ...]
    pool: _Pool
    profile: Profile
    hits: dict

    def select(self, query: FeedQuery) -> list[Scored]:
        """`select_papers(days, query)`, as a few vectorised sums over the pool."""
        from core.rank.postings import ranked_by_postings

        return ranked_by_postings(self.days, self.pool, self.profile, query, self.hits)


def from_kept_postings(days: Sequence[Day], query: FeedQuery) -> KeptPostings | None:
    """What `select_papers(days, query)` is answered from when earlier queries left it all:
    a custom keyword query whose pool and keyword hits are kept, so selecting is a few
    vectorised sums over the pool and no regex or filter runs. None otherwise."""
    if not query.rescore:
        return None
    profile = compile_profile(query.keywords, query.exclude)
    pool = None if profile.empty else _POOLS.held(days, _pool_key(query), touch=True)
    if pool is None:
        return None
    from core.rank.postings import kept_hits

    hits = kept_hits(days, pool, profile)
    return None if hits is None else KeptPostings(tuple(days), pool, profile, hits)


def summaries_of(days: Sequence[Day]) -> dict[str, dict]:
    """Every summary record the days hold, by paper id (newer days win); kept per days,
    never to be modified."""

    def merge() -> dict[str, dict]:
        out: dict[str, dict] = {}
        for day in reversed(days):
            out.update(day.summaries)
        return out

    return _SUMMARIES.get(days, "summaries", merge)


def _stored_records(days: Sequence[Day], query: FeedQuery) -> list[Scored]:
    """Stored records of the wanted announce types, newest day first."""
    wanted = set(query.types)
    return [s for day in days for s in day.papers if s.paper.announce_type in wanted]


def _wanted(paper: Paper, query: FeedQuery, categories: frozenset[str]) -> bool:
    """Whether the paper passes the query's category and author filters (`categories`
    holds the query's categories)."""
    if not _in_categories(paper.categories, query, categories):
        return False
    if query.authors:
        names = [fold(a) for a in paper.authors]
        return any(needle in name for needle in query.authors for name in names)
    return True


def _in_categories(cats: tuple[str, ...], query: FeedQuery, categories: frozenset[str]) -> bool:
    """Whether a paper of categories `cats` passes the query's category filters."""
    if query.category and query.category not in cats:
        return False
    return not categories.isdisjoint(cats)


def _record_key(p: Paper) -> tuple:
    return (p.id, p.version, p.announced, p.announce_type)


def _reuse_scores(papers: list[Paper], stored: list[Scored]) -> list[Scored]:
    """The stored scores of the kept records (dedupe may have merged categories into
    the paper, which the score does not depend on)."""
    by_key = {_record_key(s.paper): s for s in stored}
    out = []
    for p in papers:
        s = by_key[_record_key(p)]
        out.append(s if s.paper is p else Scored(p, s.score, s.matches, s.excluded_by))
    return out


def _sorted(scored: list[Scored], sort: str) -> list[Scored]:
    if sort == "date":
        best = rank(scored)  # ties within a day keep the score order
        return sorted(best, key=lambda s: s.paper.announced, reverse=True)
    return rank(scored)


# Custom profiles -----------------------------------------------------------------------------


class PoolPapers(Sequence):
    """A pool's papers, in pool order, each made when first asked for (a stored day's
    records are: core.store.layout.StoredRecords), with what filtering and ordering a pool
    reads of every paper kept apart: `ids`, `announced`, `categories`."""

    __slots__ = ("_items", "_held", "ids", "announced", "categories")

    def __init__(self, items: list, held: tuple, ids: list, announced: list, categories: list):
        """`items`: per paper, the Paper, or the (day, position) of its record in `held`
        (each day's `Day.papers`, not the Day: a kept pool must not keep its days alive)."""
        self._items, self._held = items, held
        self.ids, self.announced, self.categories = ids, announced, categories

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self._items))))
        item = self._items[i]
        if type(item) is tuple:  # a stored record not asked for yet
            item = self._items[i] = self._held[item[0]][item[1]].paper
        return item

    def __iter__(self):
        return (self[i] for i in range(len(self._items)))

    def subset(self, keep: Sequence[bool]) -> PoolPapers:
        """The papers where `keep` is true, in order."""
        pick = list(itertools.compress(range(len(self._items)), keep))
        return PoolPapers(
            [self._items[i] for i in pick],
            self._held,
            [self.ids[i] for i in pick],
            [self.announced[i] for i in pick],
            [self.categories[i] for i in pick],
        )


@dataclass(frozen=True)
class _Pool:
    """The papers a custom query scores, in the order the filters leave them, and where
    each one's text sits: `at[d][pos]` is the index in `papers` of the paper whose title
    and abstract are those of `days[d].papers[pos]`, or -1."""

    papers: PoolPapers
    at: tuple[array, ...]


_POOLS = kept("rank.pools", ObjectMemo(POOLS))
_SUMMARIES = kept("rank.summaries", ObjectMemo(8))


def _rescored(days: Sequence[Day], query: FeedQuery, profile: Profile) -> list[Scored]:
    pool = filtered_pool(days, query)
    if profile.empty:
        scored = score_all(pool.papers, profile)
        return _sorted(select(scored, min_score=query.min_score, profile=profile), query.sort)[: query.limit]
    from core.rank.postings import postings_ready, ranked_by_postings

    if postings_ready(days, profile, pool=pool):
        return ranked_by_postings(days, pool, profile, query)
    bounds = keyword_bounds(days, pool, profile)
    weights_ok = all(math.isfinite(k.weight) and k.weight > 0 for k in profile.keywords)
    if query.sort == "score" and weights_ok:
        return _best_by_bound(pool, bounds, profile, query)
    return _newest_days_first(pool, bounds, profile, query)


def _newest_days_first(pool: _Pool, bounds: dict[int, float], profile: Profile, query: FeedQuery) -> list[Scored]:
    """The date-ordered result, a day at a time from the newest: no paper of an older day
    comes before one of a newer day, so once a day fills `limit`, older days are not scored."""
    by_day: dict[str, list[int]] = {}
    for i in sorted(bounds):
        by_day.setdefault(pool.papers.announced[i], []).append(i)
    chosen: list[Scored] = []
    for day in sorted(by_day, reverse=True):
        scored = [score_paper(pool.papers[i], profile) for i in by_day[day]]
        chosen.extend(rank(select(scored, min_score=query.min_score, profile=profile)))
        if len(chosen) >= query.limit:
            break
    return chosen[: query.limit]


def filtered_pool(days: Sequence[Day], query: FeedQuery) -> _Pool:
    """The deduped papers of the query's types that pass its category and author filters
    (kept per (days, filters): the pool keyword and meaning rankings both start from)."""
    return _POOLS.get(days, _pool_key(query), lambda: _filter_pool(days, _typed_pool(days, query.types), query))


def _pool_key(query: FeedQuery) -> tuple:
    return ("filtered", query.types, query.category, query.categories, query.authors)


def _typed_pool(days: Sequence[Day], types: tuple[str, ...]) -> _Pool:
    """One record per id among the records of `types`, as `dedupe` keeps them."""
    return _POOLS.get(days, ("typed", types), lambda: _dedupe_pool(days, types))


def columns_of(day: Day) -> DayColumns:
    """The day's records field by field (DayColumns): a stored day's from its rows, with no
    record made; another day's from its records (kept while the day lives)."""
    found = getattr(day.papers, "columns", None)
    if isinstance(found, DayColumns):
        return found
    return _COLUMNS.get((day,), "columns", lambda: DayColumns.of(day.papers))


_COLUMNS = kept("rank.day_columns", ObjectMemo(POOLS))


def _dedupe_pool(days: Sequence[Day], types: tuple[str, ...]) -> _Pool:
    wanted = set(types)
    columns = [columns_of(day) for day in days]
    rows = [(d, pos) for d, c in enumerate(columns) for pos, kind in enumerate(c.types) if kind in wanted]
    ids = [columns[d].ids[pos] for d, pos in rows]
    at = tuple(array("i", [-1]) * len(day.papers) for day in days)
    held = tuple(day.papers for day in days)
    if len(set(ids)) == len(ids):  # every id once: the kept papers are the records, in their order
        for i, (d, pos) in enumerate(rows):
            at[d][pos] = i
        announced = [columns[d].announced[pos] for d, pos in rows]
        categories = [columns[d].categories[pos] for d, pos in rows]
        return _Pool(PoolPapers(rows, held, ids, announced, categories), at)
    # dedupe as core.ingest.dedupe does: ids in first-seen order, each id's records in day
    # order; only the records of ids seen more than once are made to be merged
    by_id: dict[str, list[tuple[int, int]]] = {}
    for row, paper_id in zip(rows, ids, strict=True):
        by_id.setdefault(paper_id, []).append(row)
    items, announced, categories = [], [], []
    for i, found in enumerate(by_id.values()):
        if len(found) == 1:
            (d, pos) = found[0]
            items.append(found[0])
            announced.append(columns[d].announced[pos])
            categories.append(columns[d].categories[pos])
        else:
            records = [(d, pos, held[d][pos].paper) for d, pos in found]
            [paper] = dedupe(p for _, _, p in records)
            d, pos = _source(paper, records)
            items.append(paper)
            announced.append(paper.announced)
            categories.append(paper.categories)
        at[d][pos] = i
    return _Pool(PoolPapers(items, held, list(by_id), announced, categories), at)


def _source(paper: Paper, rows: list[tuple[int, int, Paper]]) -> tuple[int, int]:
    """The (day, position) of a record `paper` was kept from: the same object, or (when
    dedupe merged categories into a copy) a record with the same title and abstract."""
    for d, pos, p in rows:
        if p is paper:
            return d, pos
    return next((d, pos) for d, pos, p in rows if p.title == paper.title and p.abstract == paper.abstract)


def _filter_pool(days: Sequence[Day], typed: _Pool, query: FeedQuery) -> _Pool:
    """The papers of `typed` the query's filters keep (`typed` itself when they keep all);
    only a filter on authors makes the papers (their authors are texts)."""
    categories = frozenset(query.categories)
    papers = typed.papers
    if query.authors:
        keep = [_wanted(p, query, categories) for p in papers]
    else:
        keep = [_in_categories(cats, query, categories) for cats in papers.categories]
    if all(keep):
        return typed
    new_index = array("i", [-1]) * len(papers)
    for new, old in enumerate(itertools.compress(range(len(papers)), keep)):
        new_index[old] = new
    at = tuple(array("i", (new_index[i] if i >= 0 else -1 for i in row)) for row in typed.at)
    return _Pool(papers.subset(keep), at)


def keyword_bounds(days: Sequence[Day], pool: _Pool, profile: Profile) -> dict[int, float]:
    """For each paper of `pool` some keyword may match: an upper bound of its score
    (each possible keyword's weight, with the title bonus where the title may hold it)."""
    bounds: dict[int, float] = {}
    get = bounds.get
    indexes = [index_of(day) for day in days]
    for keyword in profile.keywords:
        needs = keyword_needs(keyword.text)
        if needs is None:
            continue
        weight, title_weight = keyword.weight, keyword.weight * (1.0 + TITLE_BONUS)
        for index, at in zip(indexes, pool.at, strict=True):
            in_title = index.possible(needs, title=True)
            for pos in index.possible(needs):
                i = at[pos]
                if i >= 0:
                    bounds[i] = get(i, 0.0) + (title_weight if pos in in_title else weight)
    return bounds


def _best_by_bound(pool: _Pool, bounds: dict[int, float], profile: Profile, query: FeedQuery) -> list[Scored]:
    """The score-ordered result: candidates are scored in `rank` order of the best place
    they could take (their bound's ceiling, then date, then newest id) until the next one could
    neither reach min_score nor enter the `limit` best chosen papers."""
    chosen: list[Scored] = []
    worst: list[_Kept] = []  # min-heap of the `limit` best chosen, the worst at the top
    for ceiling, papers in _by_ceiling(pool, bounds):
        if ceiling < query.min_score:
            break
        for paper in papers:
            if len(worst) == query.limit and _before(worst[0].place, (ceiling, paper)):
                return rank(chosen)[: query.limit]
            s = score_paper(paper, profile)
            if select([s], min_score=query.min_score, profile=profile):
                chosen.append(s)
                (heapq.heappush if len(worst) < query.limit else heapq.heappushpop)(worst, _Kept((s.score, paper)))
    return rank(chosen)[: query.limit]


def _by_ceiling(pool: _Pool, bounds: dict[int, float]) -> Iterator[tuple[float, list[Paper]]]:
    """Candidates grouped by the ceiling of their bound, highest first, each group in
    `rank` order among equals (announced desc, newest id first); a group is sorted when reached."""
    by_bound: dict[float, list[int]] = {}
    for i, bound in bounds.items():
        by_bound.setdefault(bound, []).append(i)
    groups: dict[float, list[int]] = {}
    for bound, members in by_bound.items():
        groups.setdefault(_ceiling(bound), []).extend(members)
    for ceiling in sorted(groups, reverse=True):
        papers = sorted((pool.papers[i] for i in groups[ceiling]), key=lambda p: id_order(p.id), reverse=True)
        papers.sort(key=lambda p: p.announced, reverse=True)
        yield ceiling, papers


def _ceiling(bound: float) -> float:
    """The highest rounded score a paper whose points sum to at most `bound` can have
    (the slack covers float error in either sum, and is below the 0.005 rounding step)."""
    return round(bound + ROUND_SLACK, 2)


def _before(a: tuple[float, Paper], b: tuple[float, Paper]) -> bool:
    """Whether (score, paper) `a` comes before `b` in `rank` order: score desc, announced
    desc, newest id first (ids are unique after dedupe)."""
    if a[0] != b[0]:
        return a[0] > b[0]
    if a[1].announced != b[1].announced:
        return a[1].announced > b[1].announced
    return id_order(a[1].id) > id_order(b[1].id)


@dataclass(frozen=True)
class _Kept:
    """A chosen (score, paper) in a heap that keeps the last in `rank` order at the top."""

    place: tuple[float, Paper]

    def __lt__(self, other: _Kept) -> bool:
        return _before(other.place, self.place)
