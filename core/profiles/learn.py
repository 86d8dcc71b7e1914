"""How a profile learns from its votes: the target its feed is ranked by. Pure (numpy).

    affinity = category_affinity(liked_categories, disliked_categories, library, library_size)
    target = learn(interest, liked, disliked, centre, spread, affinity)   # Target or None

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
- The votes also teach which arXiv categories the reader likes (`category_affinity`): a
  paper gains AFFINITY times the sum, over its categories, of the category's share among
  the liked papers (and imported library entries) less DISLIKE_AFFINITY times its share
  among the disliked ones, counting from the first like; a primary category counts fully,
  a cross-list CROSS_LIST of that. A category the reader both likes
  and turns down nets out, so a taste that cuts across categories is left to the meaning.
- While the reader has turned papers down and liked none, the first slots of the feed
  explore: they are filled by maximal marginal relevance (`exploring`: a weight that grows
  with each paper turned down), so the reader sees papers unlike each other and unlike what
  it turned down, one of which it may like.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from core.rank.similarity import Affinity, Target
from core.store.vectors import normalise

DISLIKE_BETA = 0.5
LIKE_WEIGHT = 0.35
UNLIKE_WEIGHT = 0.5
AGREE = 2.0
MIN_INTEREST_WEIGHT = 0.1
EXPLORE = 0.5
EXPLORE_MAX = 2.0
EXPLORE_AFTER = 2  # papers turned down, with none liked, before the feed explores
AFFINITY = 0.25
LIBRARY_VOTES = 5  # an imported library's categories count as at most this many liked papers
DISLIKE_AFFINITY = 1.0
CROSS_LIST = 0.75  # a cross-listed category counts this much of a paper's primary one


def learn(
    interest: np.ndarray | None,
    liked: np.ndarray,
    disliked: np.ndarray,
    centre: np.ndarray,
    spread: float,
    affinity: Affinity | None = None,
) -> Target | None:
    """The profile's target over vectors whose mean is `centre`, where `spread` is the
    standard deviation of the papers' centred cosines with the interest (`interest_spread`)
    and `affinity` what the votes say about categories (`category_affinity`); None when
    there is neither an interest nor a liked paper (nothing ranks by meaning)."""
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
    explore = exploring(len(up), len(down))
    return Target(
        normalise(q)[0],
        up,
        down,
        centre=mu,
        like_weight=LIKE_WEIGHT,
        unlike_weight=UNLIKE_WEIGHT,
        explore=explore,
        affinity=affinity,
    )


def exploring(liked: int, disliked: int) -> float:
    """The exploring weight (core.rank.similarity.Target.explore): 0 once a paper is liked or
    before EXPLORE_AFTER are turned down; then EXPLORE for each paper turned down beyond the
    first, at most EXPLORE_MAX, so each look of a reader who keeps saying "less like this"
    spreads wider than the last (and shows papers the last look did not)."""
    if liked or disliked < EXPLORE_AFTER:
        return 0.0
    return min(EXPLORE_MAX, EXPLORE * (disliked - 1))


def category_affinity(
    liked: Sequence[Sequence[str]],
    disliked: Sequence[Sequence[str]],
    library: Sequence[tuple[str, int]] = (),
    library_size: int = 0,
) -> Affinity | None:
    """What the categories of the liked and disliked papers say (each paper a tuple of
    categories, () when unknown), with an imported library counted as liked papers:
    `library` is (category, entries of it) over `library_size` entries with categories,
    weighed as at most LIBRARY_VOTES papers. None until a liked paper or library entry has a
    category: turning papers down, with nothing liked, says what the reader does not want
    to see but not which categories it does (exploring is left to the vectors). Per
    category c: (liked papers and library entries in c) / (1 + all of them) −
    DISLIKE_AFFINITY · (disliked papers in c) / (1 + disliked papers), a paper counting 1 in
    its primary category and CROSS_LIST in each of its cross-lists."""
    ups = [c for c in liked if c]
    shelf = dict(library) if library_size else {}
    if not ups and not shelf:
        return None  # until a paper is liked, turning papers down says nothing of categories
    downs = [c for c in disliked if c]
    scale = min(1.0, LIBRARY_VOTES / library_size) if shelf else 0.0
    votes, down = _weighed(ups), _weighed(downs)
    up_total = 1 + len(ups) + scale * library_size
    net = {c: (votes[c] + scale * shelf.get(c, 0)) / up_total for c in {*votes, *shelf}}
    for c, n in down.items():
        net[c] = net.get(c, 0.0) - DISLIKE_AFFINITY * n / (1 + len(downs))
    papers = Counter(c for cs in ups for c in dict.fromkeys(cs))
    counts = tuple((c, papers[c], shelf.get(c, 0)) for c in sorted({*votes, *shelf}))
    return Affinity(tuple(sorted(net.items())), counts, AFFINITY, CROSS_LIST)


def _weighed(papers: Sequence[Sequence[str]]) -> Counter:
    """Per category, the papers of it: 1 where it is the primary category, CROSS_LIST where
    it is a cross-list (each category once a paper)."""
    out: Counter = Counter()
    for cs in papers:
        for j, c in enumerate(dict.fromkeys(cs)):
            out[c] += 1.0 if j == 0 else CROSS_LIST
    return out


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
