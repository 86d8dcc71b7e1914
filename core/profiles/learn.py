"""How a profile learns from its votes: the target its feed is ranked by. Pure (numpy).

    target = learn(interest, liked, disliked, centre)     # core.rank.similarity.Target or None

The rule, chosen with `make eval` on real arXiv corpora (benchmarks/learning.py; the table
and the alternatives measured are in the README):

- Every vector is centred on `centre`, the mean of the papers held, so what all abstracts
  share does not count: subtracting disliked papers then removes their topic, not the
  direction every abstract has.
- The query is w · interest + mean(liked) − DISLIKE_BETA · mean(disliked). The interest's
  weight w falls as the votes disagree with it: with no paper liked yet, w = 1 / (1 + the
  number turned down); once papers are liked, w stays 1 while they sit where the interest
  ranks high (their mean cosine with it AGREE standard deviations above the papers' mean),
  and falls towards MIN_INTEREST_WEIGHT as they sit lower. A good start keeps its interest;
  a wrong one gives way to what the reader likes.
- A paper's similarity blends the query's cosine with its closest liked paper's
  (LIKE_WEIGHT), and loses UNLIKE_WEIGHT times its closest disliked cosine.
- While the reader has turned papers down and liked none, the first slots of the feed
  explore: they are filled by maximal marginal relevance (EXPLORE), so the reader sees
  papers unlike each other and unlike what it turned down, one of which it may like.
"""

from __future__ import annotations

import numpy as np

from core.rank.similarity import Target
from core.store.vectors import normalise

DISLIKE_BETA = 0.5
LIKE_WEIGHT = 0.35
UNLIKE_WEIGHT = 0.5
AGREE = 2.0
MIN_INTEREST_WEIGHT = 0.1
EXPLORE = 0.5
EXPLORE_AFTER = 2  # papers turned down, with none liked, before the feed explores


def learn(
    interest: np.ndarray | None, liked: np.ndarray, disliked: np.ndarray, centre: np.ndarray, spread: float
) -> Target | None:
    """The profile's target over vectors whose mean is `centre`, where `spread` is the
    standard deviation of the papers' centred cosines with the interest (`interest_spread`);
    None when there is neither an interest nor a liked paper (nothing ranks by meaning)."""
    if interest is None and not len(liked):
        return None
    mu = np.asarray(centre, np.float32)
    up = normalise(liked - mu) if len(liked) else np.zeros((0, len(mu)), np.float32)
    down = normalise(disliked - mu) if len(disliked) else np.zeros((0, len(mu)), np.float32)
    q = np.zeros(len(mu), np.float32)
    if interest is not None:
        wanted = normalise(normalise(interest)[0] - mu)[0]
        q = q + interest_weight(wanted, up, len(down), spread) * wanted
    if len(up):
        q = q + up.mean(axis=0)
    if len(down):
        q = q - DISLIKE_BETA * down.mean(axis=0)
    explore = EXPLORE if not len(up) and len(down) >= EXPLORE_AFTER else 0.0
    return Target(
        normalise(q)[0], up, down, centre=mu, like_weight=LIKE_WEIGHT, unlike_weight=UNLIKE_WEIGHT, explore=explore
    )


def interest_weight(interest: np.ndarray, liked: np.ndarray, disliked: int, spread: float) -> float:
    """How much the interest still counts (centred unit vectors): 1 / (1 + `disliked`)
    before any paper is liked; after, the liked papers' mean cosine with the interest in
    units of `spread` (centred, the papers' mean cosine is 0), over AGREE, within
    [MIN_INTEREST_WEIGHT, 1]."""
    if not len(liked):
        return 1.0 / (1.0 + disliked)
    z = float((liked @ interest).mean()) / max(spread, 1e-6)
    return float(np.clip(z / AGREE, MIN_INTEREST_WEIGHT, 1.0))


def centre_of(vectors) -> np.ndarray | None:
    """The mean vector of every paper in `vectors` (DayVectors), None when there is none."""
    total, count = None, 0
    for dv in vectors:
        if not len(dv.keys):
            continue
        s = dv.matrix().sum(axis=0)
        total, count = (s if total is None else total + s), count + len(dv.keys)
    return None if total is None else (total / count).astype(np.float32)


def interest_spread(vectors, interest: np.ndarray, centre: np.ndarray) -> float:
    """The standard deviation of the centred cosines of the papers in `vectors` with the
    centred `interest` (0 when there are none)."""
    probe = Target(normalise(normalise(interest)[0] - centre)[0], _none(centre), _none(centre), centre=centre)
    sims = [probe.combine(dv.dot(probe.columns()))[0] for dv in vectors if len(dv.keys)]
    return float(np.concatenate(sims).std()) if sims else 0.0


def _none(centre: np.ndarray) -> np.ndarray:
    return np.zeros((0, len(centre)), np.float32)
