"""Ranking by meaning: similarity of papers to an interest text and to liked papers (numpy).

    target = Target.build(interest=vec_or_None, liked=rows, unliked=rows)
    sims, nearest = target.score(paper_rows)     # one similarity per paper, in [-1, 1]

The similarity of a paper x is its cosine to the *target*: the unit mean of the
interest vector and the liked papers' vectors (each liked paper weighs as much as the
interest), minus `UNLIKE_WEIGHT` times its largest cosine to a disliked paper, when
that is positive. `nearest` names, per paper, the liked paper it is closest to (for
the explanation "closest to the liked paper …").

Hybrid ranking adds the keyword score, squashed to [0, 1): hybrid = similarity +
HYBRID_WEIGHT · k / (k + KEYWORD_HALF), where k is the paper's keyword score; a
paper with no keyword match is ranked by meaning alone. The weights were chosen with
`make eval` (benchmarks/eval.py), whose table is in the README.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.store.vectors import normalise

UNLIKE_WEIGHT = 0.5
HYBRID_WEIGHT = 0.15
KEYWORD_HALF = 2.0


@dataclass(frozen=True)
class Target:
    centroid: np.ndarray  # (dim,), unit length
    liked: np.ndarray  # (k, dim)
    unliked: np.ndarray  # (u, dim)

    @classmethod
    def build(cls, interest: np.ndarray | None, liked: np.ndarray, unliked: np.ndarray) -> Target:
        parts = [normalise(interest)[0]] if interest is not None else []
        parts += list(normalise(liked)) if len(liked) else []
        if not parts:
            raise ValueError("a target needs an interest or at least one liked paper")
        centroid = normalise(np.mean(parts, axis=0))[0]
        return cls(centroid, normalise(liked) if len(liked) else liked, normalise(unliked) if len(unliked) else unliked)

    def columns(self) -> np.ndarray:
        """The target as one (dim, 1 + liked + unliked) matrix, for one product per day."""
        return np.column_stack([self.centroid, *self.liked, *self.unliked]).astype(np.float32)

    def combine(self, cosines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(similarity, nearest liked paper or -1) per row, from the cosines of the rows
        with `columns()`."""
        k = len(self.liked)
        sims = cosines[:, 0]
        if len(self.unliked):
            sims = sims - UNLIKE_WEIGHT * np.clip(cosines[:, 1 + k :].max(axis=1), 0, None)
        nearest = cosines[:, 1 : 1 + k].argmax(axis=1) if k else np.full(len(cosines), -1)
        return np.clip(sims, -1.0, 1.0).astype(np.float32), nearest

    def score(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(similarity per row, index of the nearest liked paper per row or -1)."""
        if len(rows) == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        return self.combine(np.asarray(rows, np.float32) @ self.columns())


def hybrid(similarity: np.ndarray, keyword_scores: np.ndarray) -> np.ndarray:
    k = np.asarray(keyword_scores, dtype=np.float32)
    return similarity + HYBRID_WEIGHT * k / (k + KEYWORD_HALF)
