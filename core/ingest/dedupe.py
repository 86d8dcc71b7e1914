"""Pure merging of papers: one record per versionless id.

A paper announced as `new` in one category and `cross` in another is one paper
of type `new`: the strongest announce type wins, never the first one seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from core.models import Paper

TYPE_RANK = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}


def _better(a: Paper, b: Paper) -> Paper:
    """The record to keep of two records of one paper."""
    ka = (TYPE_RANK.get(a.announce_type, 9), -_date_num(a.announced), -a.version)
    kb = (TYPE_RANK.get(b.announce_type, 9), -_date_num(b.announced), -b.version)
    keep, other = (a, b) if ka <= kb else (b, a)
    if set(other.categories) - set(keep.categories):
        extra = tuple(c for c in other.categories if c not in keep.categories)
        keep = replace(keep, categories=keep.categories + extra)
    return keep


def _date_num(iso: str) -> int:
    return int(iso.replace("-", "") or 0)


def dedupe(papers: Iterable[Paper]) -> list[Paper]:
    """One record per id, in first-seen order, keeping the strongest announce type
    (then the newest date and version) and the union of categories."""
    kept: dict[str, Paper] = {}
    for p in papers:
        kept[p.id] = _better(kept[p.id], p) if p.id in kept else p
    return list(kept.values())
