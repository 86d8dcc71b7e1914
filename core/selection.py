"""Which papers a feed shows: filter, (re-)score, dedupe, rank and cut. Pure, no I/O.

    days (newest first) -> announce types -> one record per id across days
        -> category / authors filters -> score (stored, or re-scored for a custom profile)
        -> select (not excluded, >= min_score, matched unless no keywords) -> sort -> limit

Types are filtered before deduplication, so asking for `replace` shows a paper's
replacement even when the same id was `new` on an earlier day; among the records
left, the strongest announce type wins (core.dedupe). Custom keywords are scored
with the same code as the refresh (core.scoring).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Config
from core.dedupe import dedupe
from core.layout import Day
from core.models import Paper, Scored
from core.query import FeedQuery
from core.scoring import compile_profile, rank, score_all, select


def select_papers(days: Sequence[Day], query: FeedQuery, config: Config) -> list[Scored]:
    """The papers to show for `query`, best first, at most `query.limit`, one per id."""
    stored = _stored_records(days, query)
    papers = [p for p in dedupe(s.paper for s in stored) if _wanted(p, query)]
    profile = compile_profile(query.keywords, query.exclude)
    scored = score_all(papers, profile) if query.rescore else _reuse_scores(papers, stored)
    chosen = select(scored, min_score=query.min_score, profile=profile)
    return _sorted(chosen, query.sort)[: query.limit]


def summaries_of(days: Sequence[Day]) -> dict[str, dict]:
    """Every summary record the days hold, by paper id (newer days win)."""
    out: dict[str, dict] = {}
    for day in reversed(days):
        out.update(day.summaries)
    return out


def _stored_records(days: Sequence[Day], query: FeedQuery) -> list[Scored]:
    """Stored records of the wanted announce types, newest day first."""
    wanted = set(query.types)
    return [s for day in days for s in day.papers if s.paper.announce_type in wanted]


def _wanted(paper: Paper, query: FeedQuery) -> bool:
    cats = paper.categories
    if query.category and query.category not in cats:
        return False
    if not any(c in cats for c in query.categories):
        return False
    if query.authors:
        names = [a.casefold() for a in paper.authors]
        return any(needle in name for needle in query.authors for name in names)
    return True


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
