"""Which papers a feed shows when it ranks by meaning (`interest=`, `like=`, `unlike=`).

    ranking = rank_by_meaning(days, vectors, query, interest_vector)
    ranking.papers    # Scored, best first, each with `similarity` (and `nearest` for like=)
    ranking.notes     # what the channel description should say (ids not held, ...)

The candidates are the papers the query's type, category and author filters leave (the
same pool as keyword feeds, core.selection), minus excluded titles. Each one's
similarity to the target (core.similarity) comes from its own day's vectors, computed
day by day as one matrix-vector product. `rank=meaning` orders by similarity,
`rank=hybrid` by core.similarity.hybrid of similarity and keyword score. `min_similarity`
drops papers below it; `min_score` applies only when the query sets it (a paper need not
match a keyword to be found by meaning). Liked and disliked papers are looked up in every
held day (newest version first); those not held are named in a note, and a liked paper
is never shown in its own feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.layout import Day
from core.query import FeedQuery
from core.scoring import compile_profile, score_paper
from core.selection import filtered_pool
from core.similarity import Target, hybrid
from core.vectors import DayVectors, paper_key


@dataclass(frozen=True)
class Ranking:
    papers: list
    notes: tuple[str, ...] = ()
    by_meaning: bool = True  # False: nothing to rank by meaning, the caller ranks by keywords


def find_vectors(days: Sequence[Day], vectors: dict[str, DayVectors], ids: Sequence[str]):
    """(rows, titles, missing ids) of the papers `ids` names, from the newest day holding each."""
    rows, titles, missing = [], [], []
    for wanted in ids:
        for day in days:
            dv = vectors.get(day.date)
            hit = next((s.paper for s in day.papers if s.paper.id == wanted), None) if dv else None
            if hit is not None and (at := dv.index().get(paper_key(hit))) is not None:
                rows.append(dv.matrix()[at])
                titles.append(hit.title)
                break
        else:
            missing.append(wanted)
    dim = next((v.dim for v in vectors.values() if v.dim), 0)
    return (np.stack(rows) if rows else np.zeros((0, dim), np.float32)), titles, missing


def rank_by_meaning(
    days: Sequence[Day],
    vectors: dict[str, DayVectors],
    query: FeedQuery,
    interest: np.ndarray | None,
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
    pool = filtered_pool(days, query)
    sims = np.full(len(pool.papers), np.nan, np.float32)
    nearest = np.full(len(pool.papers), -1)
    source: list = [None] * len(pool.papers)
    unembedded = 0
    for d, day in enumerate(days):
        at = pool.at[d]
        rows = [(pos, i) for pos, i in enumerate(at) if i >= 0]
        if not rows:
            continue
        for pos, i in rows:
            source[i] = day.papers[pos]
        dv = vectors.get(day.date)
        if dv is None:
            unembedded += len(rows)
            continue
        index = dv.index()
        found = [(i, index[k]) for pos, i in rows if (k := paper_key(day.papers[pos].paper)) in index]
        unembedded += len(rows) - len(found)
        if found:
            targets, positions = zip(*found, strict=True)
            s, n = target.score(dv.matrix()[list(positions)])
            sims[list(targets)] = s
            nearest[list(targets)] = n
    if unembedded:
        notes.append(f"{unembedded} papers have no vector yet (the next refresh embeds them) and are left out.")
    keyword = _keyword_scores(query, source)
    skip = set(query.like) | set(query.unlike)
    keep = [
        i
        for i, s in enumerate(source)
        if s is not None
        and not np.isnan(sims[i])
        and not keyword[i].excluded_by
        and s.paper.id not in skip
        and (query.min_similarity is None or sims[i] >= query.min_similarity)
        and (not query.min_score_given or keyword[i].score >= query.min_score)
    ]
    scores = np.array([keyword[i].score for i in keep], np.float32)
    value = sims[keep] if query.rank == "meaning" else hybrid(sims[keep], scores)
    order = sorted(range(len(keep)), key=lambda j: (-float(value[j]), *_newest(source[keep[j]].paper)))
    if query.sort == "date":
        order.sort(key=lambda j: source[keep[j]].paper.announced, reverse=True)
    chosen = []
    for j in order[: query.limit]:
        i = keep[j]
        near = liked_titles[nearest[i]] if nearest[i] >= 0 and liked_titles else ""
        chosen.append(replace(keyword[i], similarity=round(float(sims[i]), 3), nearest=near))
    return Ranking(chosen, tuple(notes))


def _keyword_scores(query: FeedQuery, source: list) -> list:
    """Each candidate's keyword score: stored when the query keeps the config's keywords,
    else scored with the query's."""
    if not query.rescore:
        return source
    profile = compile_profile(query.keywords, query.exclude)
    return [score_paper(s.paper, profile) if s is not None else None for s in source]


def _newest(paper) -> tuple:
    # Ties: newer announcement first, then the newer arXiv id.
    return (-int(paper.announced.replace("-", "") or 0), tuple(-ord(c) for c in paper.id))
