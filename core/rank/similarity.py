"""Ranking by meaning: similarity of papers to an interest text and to liked papers (numpy).

    target = Target.build(interest=vec_or_None, liked=rows, unliked=rows)
    sims, nearest = target.score(paper_rows)     # one similarity per paper, in [-1, 1]

The similarity of a paper x is its cosine to the *target*: the unit mean of the
interest vector and the liked papers' vectors (each liked paper weighs as much as the
interest), minus `UNLIKE_WEIGHT` times its largest cosine to a disliked paper, when
that is positive. `nearest` names, per paper, the liked paper it is closest to (for
the explanation "closest to the liked paper …").

A profile's votes also say which arXiv categories the reader likes (`Affinity`): a paper
gains the affinity's weight times the sum of its categories' shares among the liked papers,
less their shares among the disliked ones, so papers of the categories the reader keeps
liking rise and those it keeps turning down sink (core.profiles.learn builds it; the profile
feed adds it in core.rank.meaning.rank_by_target).

Hybrid ranking adds the keyword score, squashed to [0, 1): hybrid = similarity +
HYBRID_WEIGHT · k / (k + KEYWORD_HALF), where k is the paper's keyword score; a
paper with no keyword match is ranked by meaning alone. The weights were chosen with
`make eval` (benchmarks/eval.py), whose table is in the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.store.vectors import normalise

UNLIKE_WEIGHT = 0.5
HYBRID_WEIGHT = 0.15
KEYWORD_HALF = 2.0


@dataclass(frozen=True)
class Target:
    """What papers are compared with: `centroid` (unit), the `liked` and `unliked` rows, and
    how they combine. With `centre` (the mean vector of the papers held) every cosine is
    taken between centred vectors, so the direction all abstracts share counts for nothing
    (static embeddings put every abstract near the corpus mean); `centroid`, `liked` and
    `unliked` are then given in centred space. `like_weight` blends in each paper's closest
    liked cosine (nearest-neighbour), `unlike_weight` subtracts its closest disliked one, and
    `explore` > 0 fills the first slots of a feed by maximal marginal relevance (a paper's
    similarity minus `explore` times its closest cosine to the slots already filled), for a
    reader who has turned down what it saw and liked nothing yet (core.profiles.learn)."""

    centroid: np.ndarray  # (dim,), unit length
    liked: np.ndarray  # (k, dim)
    unliked: np.ndarray  # (u, dim)
    centre: np.ndarray | None = None  # (dim,)
    like_weight: float = 0.0
    unlike_weight: float = UNLIKE_WEIGHT
    explore: float = 0.0
    affinity: Affinity | None = None

    @classmethod
    def build(cls, interest: np.ndarray | None, liked: np.ndarray, unliked: np.ndarray) -> Target:
        """The `like=` rule: the unit mean of the interest and each liked paper."""
        parts = [normalise(interest)[0]] if interest is not None else []
        parts += list(normalise(liked)) if len(liked) else []
        if not parts:
            raise ValueError("a target needs an interest or at least one liked paper")
        centroid = normalise(np.mean(parts, axis=0))[0]
        return cls(centroid, normalise(liked) if len(liked) else liked, normalise(unliked) if len(unliked) else unliked)

    def columns(self) -> np.ndarray:
        """The target as one (dim, 1 + liked + unliked [+ 1]) matrix, for one product per
        day; with a centre, its last column is the centre."""
        extra = [self.centre] if self.centre is not None else []
        return np.column_stack([self.centroid, *self.liked, *self.unliked, *extra]).astype(np.float32)

    def combine(self, cosines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(similarity, nearest liked paper or -1) per row, from the products of the rows
        with `columns()`."""
        k = len(self.liked)
        if self.centre is not None:
            cosines = self.centred(cosines)
        sims = cosines[:, 0]
        closest_liked = cosines[:, 1 : 1 + k]
        if k and self.like_weight:
            sims = (1 - self.like_weight) * sims + self.like_weight * closest_liked.max(axis=1)
        if len(self.unliked) and self.unlike_weight:
            sims = sims - self.unlike_weight * np.clip(
                cosines[:, 1 + k : 1 + k + len(self.unliked)].max(axis=1), 0, None
            )
        nearest = closest_liked.argmax(axis=1) if k else np.full(len(cosines), -1)
        return np.clip(sims, -1.0, 1.0).astype(np.float32), nearest

    def centred(self, products: np.ndarray) -> np.ndarray:
        """Cosines between centred vectors, from the products of unit rows x with the
        columns [c…, centre]: (x·c − centre·c) / |x − centre|, |x − centre|² = 1 − 2 x·centre + |centre|²."""
        mu = self.centre
        at_mu = products[:, -1:]
        offsets = self.columns()[:, :-1].T @ mu
        norms = np.sqrt(np.clip(1.0 - 2.0 * at_mu + float(mu @ mu), 1e-6, None))
        return (products[:, :-1] - offsets[None, :]) / norms

    def score(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(similarity per row, index of the nearest liked paper per row or -1)."""
        if len(rows) == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        return self.combine(np.asarray(rows, np.float32) @ self.columns())


@dataclass(frozen=True)
class Affinity:
    """Per arXiv category, how much the votes favour it: `net` is (category, share of the
    liked papers in it − share of the disliked ones in it), each share out of one more
    than the papers counted, so a single vote is not a certainty; `counts` is (category,
    liked papers in it, library entries in it), for the explanation."""

    net: tuple[tuple[str, float], ...]
    counts: tuple[tuple[str, int, int], ...]
    weight: float
    cross: float = 1.0  # what a paper's cross-listed categories count, its primary one counting 1

    def bonuses(self, categories: Sequence[Sequence[str]]) -> np.ndarray:
        """What each paper, given by its categories (primary first), adds to its similarity:
        `weight` times the sum of its categories' `net`, a cross-list's times `cross`
        (negative: it loses), as float32."""
        net, known = dict(self.net), {}  # papers share few category lists: each is summed once
        sums = []
        for cs in categories:
            s = known.get(cs)
            if s is None:
                parts = [net.get(c, 0.0) * (1.0 if j == 0 else self.cross) for j, c in enumerate(dict.fromkeys(cs))]
                s = known[cs] = sum(parts)
            sums.append(s)
        return self.weight * np.array(sums, np.float32)

    def reason(self, categories: Sequence[str]) -> str:
        """ "in cs.RO, like 4 papers you liked" for the paper's category that adds the most,
        or "" when none adds anything."""
        net = dict(self.net)
        best = max(dict.fromkeys(categories), key=lambda c: net.get(c, 0.0), default="")
        if not best or net.get(best, 0.0) <= 0:
            return ""
        liked, library = next(((n, m) for c, n, m in self.counts if c == best), (0, 0))
        parts = [f"{liked} paper{'s' if liked != 1 else ''} you liked"] if liked else []
        parts += [f"{library} in your library"] if library else []
        return f"in {best}, like {' and '.join(parts)}" if parts else ""


def explore_first(target: Target, rows: np.ndarray, values: np.ndarray, slots: int) -> list[int]:
    """The indices into `rows` (float32 vectors, best first by `values`) that fill the
    first `slots` of an exploring feed (`target.explore`), in the target's space."""
    space = normalise(rows - target.centre) if target.centre is not None else normalise(rows)
    return diverse_first(space, np.asarray(values, np.float32), slots, target.explore)


def diverse_first(vectors: np.ndarray, values: np.ndarray, slots: int, weight: float) -> list[int]:
    """Maximal marginal relevance: `slots` indices into `vectors` (unit rows), each the one
    whose value minus `weight` times its largest cosine to those already picked is highest."""
    picked: list[int] = []
    closest = np.full(len(values), -np.inf, np.float32)
    for _ in range(min(slots, len(values))):
        gain = values - weight * np.where(np.isinf(closest), 0.0, closest)
        gain[picked] = -np.inf
        best = int(np.argmax(gain))
        picked.append(best)
        closest = np.maximum(closest, vectors @ vectors[best])
    return picked


def hybrid(similarity: np.ndarray, keyword_scores: np.ndarray) -> np.ndarray:
    k = np.asarray(keyword_scores, dtype=np.float32)
    return similarity + HYBRID_WEIGHT * k / (k + KEYWORD_HALF)
