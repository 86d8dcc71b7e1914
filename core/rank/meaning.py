"""Which papers a feed shows when it ranks by meaning (`interest=`, `like=`, `unlike=`).

    ranking = rank_by_meaning(days, vectors, query, interest_vector)
    ranking.papers    # Scored, best first, each with `similarity` (and `nearest` for like=)
    ranking.notes     # what the channel description should say (ids not held, ...)

The candidates are the papers the query's type, category and author filters leave (the
same pool as keyword feeds, core.rank.selection), minus excluded titles. Each one's
similarity to the target (core.rank.similarity) comes from its own day's vectors: one
product of each day's rows with the target, where a kept plan (`_VectorPlan`, per pool and
days' vectors) says which rows, then the products combined in one pass. `rank=meaning`
orders by similarity, `rank=hybrid` by core.rank.similarity.hybrid of similarity and
keyword score. `min_similarity` drops papers below it; `min_score` applies only when the
query sets it (a paper need not match a keyword to be found by meaning). Liked and
disliked papers are looked up in every held day (newest version first); those not held
are named in a note, and a liked paper is never shown in its own feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.config import Config
from core.memo import ObjectMemo, kept
from core.models import Day, Scored
from core.rank.postings import best_first, keyword_scores, pool_order, postings_ready
from core.rank.query import FeedQuery
from core.rank.scoring import compile_profile, score_paper
from core.rank.selection import columns_of, filtered_pool
from core.rank.similarity import Target, explore_first, hybrid
from core.store.vectors import DayVectors, version_key

INDEXES = 16  # pools (days and filters) whose arrays are kept
EXPLORE_SLOTS = 10  # the first items of an exploring feed (core.rank.similarity.Target.explore)
EXPLORE_FROM = 300  # chosen by maximal marginal relevance among this many best
EXPLORING = "exploring: unlike what you turned down"


@dataclass(frozen=True)
class Ranking:
    papers: list
    notes: tuple[str, ...] = ()
    by_meaning: bool = True  # False: nothing to rank by meaning, the caller ranks by keywords


def find_vectors(days: Sequence[Day], vectors: dict[str, DayVectors], ids: Sequence[str]):
    """(rows, titles, missing ids) of the papers `ids` names, from the newest day holding
    each (one pass over the days)."""
    found: dict[str, tuple[np.ndarray, str]] = {}
    wanted = set(ids)
    for day in days:
        dv = vectors.get(day.date)
        if dv is None or not wanted - found.keys():
            continue
        at, columns = dv.index(), columns_of(day)
        for pos, paper_id in enumerate(columns.ids):
            if paper_id in wanted and paper_id not in found:
                row = at.get(version_key(paper_id, columns.versions[pos]))
                if row is not None:
                    found[paper_id] = (dv.matrix([row])[0], day.papers[pos].paper.title)
    rows = [found[i][0] for i in ids if i in found]
    dim = next((v.dim for v in vectors.values() if v.dim), 0)
    matrix = np.stack(rows) if rows else np.zeros((0, dim), np.float32)
    return matrix, [found[i][1] for i in ids if i in found], [i for i in ids if i not in found]


def held_version(days: Sequence[Day], paper_id: str) -> int:
    """The newest version of `paper_id` in `days` (0 when none holds it)."""
    columns = [columns_of(day) for day in days]
    return max((v for c in columns for i, v in zip(c.ids, c.versions, strict=True) if i == paper_id), default=0)


def held_categories(days: Sequence[Day], ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The categories of each of `ids` that `days` hold, from the newest day holding it."""
    wanted, out = set(ids), {}
    for day in days:
        columns = columns_of(day)
        for paper_id, categories in zip(columns.ids, columns.categories, strict=True):
            if paper_id in wanted and paper_id not in out:
                out[paper_id] = categories
    return out


def rank_by_meaning(
    days: Sequence[Day],
    vectors: dict[str, DayVectors],
    query: FeedQuery,
    interest: np.ndarray | None,
    config: Config,
) -> Ranking:
    notes = []
    liked, liked_titles, missing_liked = find_vectors(days, vectors, query.like)
    unliked, _, missing_unliked = find_vectors(days, vectors, query.unlike)
    for label, missing in (("like", missing_liked), ("unlike", missing_unliked)):
        if missing:
            notes.append(f"{label}: {', '.join(missing)} not among the papers held, left out.")
    if interest is None and not len(liked):
        notes.append("Nothing to rank by meaning (no interest, no liked paper held): ranked by keywords.")
        return Ranking([], tuple(notes), by_meaning=False)
    target = Target.build(interest, liked, unliked)
    ranked = rank_by_target(days, vectors, query, target, liked_titles, config, skip={*query.like, *query.unlike})
    return Ranking(ranked.papers, (*notes, *ranked.notes))


def rank_by_target(
    days: Sequence[Day],
    vectors: dict[str, DayVectors],
    query: FeedQuery,
    target: Target,
    liked_titles: Sequence[str],
    config: Config,
    skip: set[str] = frozenset(),
) -> Ranking:
    """The query's papers ranked by similarity to `target` (whose liked rows are titled
    `liked_titles`, for the explanation); papers whose id is in `skip` are never shown."""
    notes = []
    pool = filtered_pool(days, query)
    index = _pool_index(days, pool)
    plan = _vector_plan(days, vectors, pool, index)
    columns = target.columns()
    products = np.empty((len(pool.papers), columns.shape[1]), np.float32)
    for day, (members, rows) in zip(days, plan.days, strict=True):
        if len(members):
            products[members] = vectors[day.date].dot(columns, rows)
    sims = np.full(len(pool.papers), np.nan, np.float32)
    nearest = np.full(len(pool.papers), -1)
    if len(plan.embedded):
        sims[plan.embedded], nearest[plan.embedded] = target.combine(products[plan.embedded])
    if plan.unembedded:
        notes.append(f"{plan.unembedded} papers have no vector yet (the next refresh embeds them) and are left out.")
    scored, keyword, excluded = _keyword_scores(days, pool, index, query, tuple(config.exclude_keywords))
    mask = ~np.isnan(sims) & ~excluded
    for paper_id in skip:
        mask &= index.ids != paper_id
    if query.min_similarity is not None:
        mask &= sims >= query.min_similarity
    if query.min_score_given:
        mask &= keyword >= query.min_score
    chosen = np.flatnonzero(mask)
    value = sims[chosen] if query.rank == "meaning" else hybrid(sims[chosen], keyword[chosen])
    if target.affinity is not None:
        value = value + target.affinity.bonuses([pool.papers.categories[i] for i in chosen.tolist()])
    order = pool_order(pool)
    recency, announced = np.frombuffer(order.recency, np.int64), np.frombuffer(order.announced, np.int64)
    if query.sort == "date":
        ordered = chosen[np.lexsort((-recency[chosen], -value, -announced[chosen]))]
    else:  # only the best can be shown or explored from
        ordered = best_first(np, chosen, value, recency, query.limit + EXPLORE_FROM)
    explored: set[int] = set()
    if target.explore and query.sort == "score" and len(ordered):
        ranked = np.full(len(pool.papers), -np.inf, np.float32)
        ranked[chosen] = value
        slots = min(EXPLORE_SLOTS, query.limit)
        ordered, explored = _explore(target, days, vectors, ordered, ranked, plan.where, slots)
    top = ordered[: query.limit]
    out = []
    chosen_top = top.tolist()
    for i, s, near in zip(chosen_top, scored(chosen_top), nearest[top].tolist(), strict=True):
        title = liked_titles[near] if near >= 0 and liked_titles else ""
        why = EXPLORING if i in explored else (target.affinity.reason(s.paper.categories) if target.affinity else "")
        out.append(Scored(s.paper, s.score, s.matches, s.excluded_by, round(float(sims[i]), 3), nearest=title, why=why))
    return Ranking(out, tuple(notes))


def _explore(target: Target, days, vectors, ordered: np.ndarray, sims: np.ndarray, where: np.ndarray, slots: int):
    """(`ordered` with its first `slots` chosen by maximal marginal relevance among its
    EXPLORE_FROM best, the pool indices so chosen)."""
    head = ordered[:EXPLORE_FROM]
    rows = np.zeros((len(head), len(target.centroid)), np.float32)
    for d, day in enumerate(days):
        at = np.flatnonzero(where[head, 0] == d)
        if len(at):
            rows[at] = vectors[day.date].matrix(where[head[at], 1])
    picked = head[explore_first(target, rows, sims[head], slots)]
    rest = ordered[~np.isin(ordered, picked)]
    return np.concatenate([picked, rest]), set(picked.tolist())


@dataclass(frozen=True)
class _PoolIndex:
    """What ranking a pool by meaning needs as arrays, built once per pool: for each day,
    the pool indices of its papers and their positions in the day; each paper's stored
    keyword score and exclusion, the day and position of its stored record (`record`), and
    its id (the order among equals is core.rank.postings.pool_order's, as for keyword feeds)."""

    days: tuple[tuple[np.ndarray, np.ndarray], ...]
    held: tuple  # each day's `Day.papers` (not the Day: a kept index must not keep its days alive)
    source: np.ndarray  # (pool index) -> (day, position) of its stored record
    score: np.ndarray
    excluded: np.ndarray
    ids: np.ndarray

    def record(self, i: int) -> Scored:
        """The stored record of pool paper `i` (made now if it was not yet)."""
        d, pos = self.source[i].tolist()
        return self.held[d][pos]


_INDEXES = kept("rank.meaning_indexes", ObjectMemo(INDEXES))


def _pool_index(days: Sequence[Day], pool) -> _PoolIndex:
    return _INDEXES.get((*days, pool), "meaning", lambda: _build_index(days, pool))


def _build_index(days: Sequence[Day], pool) -> _PoolIndex:
    count = len(pool.papers)
    source = np.full((count, 2), -1, np.int64)
    score = np.zeros(count, np.float32)
    excluded = np.zeros(count, bool)
    per_day = []
    for d, day in enumerate(days):
        at = np.frombuffer(pool.at[d], dtype=np.int32) if len(pool.at[d]) else np.zeros(0, np.int32)
        positions = np.flatnonzero(at >= 0)
        members = at[positions].astype(np.int64)
        if len(members):
            columns = columns_of(day)
            source[members, 0], source[members, 1] = d, positions
            score[members] = np.asarray(columns.scores, np.float32)[positions]
            excluded[members] = np.fromiter(map(bool, columns.excluded_by), bool, len(columns.excluded_by))[positions]
        per_day.append((members, positions))
    return _PoolIndex(
        days=tuple(per_day),
        held=tuple(day.papers for day in days),
        source=source,
        score=score,
        excluded=excluded,
        ids=np.array(pool.papers.ids, dtype=object),
    )


@dataclass(frozen=True)
class _VectorPlan:
    """Where a pool's vectors are, built once per pool and days' vectors: for each day,
    the pool indices of its papers that have one and their rows in its vectors (None: all
    of its rows, in order, as the refresh embeds a day); each paper's (day, row), (-1, -1)
    without one; the pool indices with one, ascending; and how many have none."""

    days: tuple[tuple[np.ndarray, np.ndarray | None], ...]
    where: np.ndarray
    embedded: np.ndarray
    unembedded: int


def _vector_plan(days: Sequence[Day], vectors: dict[str, DayVectors], pool, index: _PoolIndex) -> _VectorPlan:
    held = [vectors.get(day.date) for day in days]
    present = tuple(dv is not None for dv in held)
    objects = (*days, pool, *(dv for dv in held if dv is not None))
    return _PLANS.get(objects, present, lambda: _build_plan(days, held, index))


def _build_plan(days: Sequence[Day], held: list[DayVectors | None], index: _PoolIndex) -> _VectorPlan:
    where = np.full((len(index.ids), 2), -1)
    per_day, unembedded = [], 0
    for d, (day, dv) in enumerate(zip(days, held, strict=True)):
        members, positions = index.days[d]
        rows = _vector_rows(dv, day)[positions] if dv is not None and len(members) else np.full(len(members), -1)
        ok = rows >= 0
        unembedded += int((~ok).sum())
        members, rows = members[ok], rows[ok]
        where[members, 0], where[members, 1] = d, rows
        every = dv is not None and len(rows) == len(dv.keys) and np.array_equal(rows, np.arange(len(rows)))
        per_day.append((members, None if every else rows))
    return _VectorPlan(tuple(per_day), where, np.flatnonzero(where[:, 0] >= 0), unembedded)


_PLANS = kept("rank.vector_plans", ObjectMemo(INDEXES))
_ROWS = kept("rank.vector_rows", ObjectMemo(INDEXES))


def _vector_rows(dv: DayVectors, day: Day) -> np.ndarray:
    """For each position in `day`, the row of its paper in `dv`, or -1."""

    def build() -> np.ndarray:
        columns = columns_of(day)
        keys = list(map(version_key, columns.ids, columns.versions))
        if tuple(keys) == dv.keys:  # embedded in the day's order, as the refresh does
            return np.arange(len(keys), dtype=np.int64)
        at = dv.index()
        return np.array([at.get(k, -1) for k in keys], np.int64)

    return _ROWS.get((day, dv), "rows", build)


def _keyword_scores(days, pool, index: _PoolIndex, query: FeedQuery, config_exclude: tuple[str, ...]):
    """(the records of a list of pool indices, keyword score per paper, excluded per paper):
    stored when the query keeps the config's words, else from the query's keyword postings."""
    if not query.rescore:
        return (lambda chosen: [index.record(i) for i in chosen]), index.score, index.excluded
    profile = compile_profile(query.keywords, query.exclude)
    if profile.empty:
        return (
            (lambda chosen: [replace(index.record(i), score=0.0, matches=()) for i in chosen]),
            np.zeros(len(pool.papers)),
            (np.zeros(len(pool.papers), bool)),
        )
    if not postings_ready(days, profile, pool=pool):
        every = [score_paper(p, profile) for p in pool.papers]  # rare: new keywords with meaning
        return (
            (lambda chosen: [every[i] for i in chosen]),
            np.array([s.score for s in every], np.float32),
            np.array([bool(s.excluded_by) for s in every], bool),
        )
    ks = keyword_scores(days, pool, profile, np)
    return (lambda chosen: ks.scored(pool.papers, chosen, profile)), ks.score.astype(np.float32), ks.excluded
