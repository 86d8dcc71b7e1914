"""How profiles learn (core.profiles.learn) and the simulated readers of `make eval`
(benchmarks.learning) on small synthetic corpora: a wrong start gives way to the votes, a good
start keeps its interest, a reader who only turns papers down is shown new ones, and the
evaluation's harness ranks with the same functions as the profile feed.
(Which learner wins on the real corpora is the evaluation's finding, in the README.)"""

from __future__ import annotations

import numpy as np

from benchmarks import learning
from core.profiles.learn import (
    AFFINITY,
    CROSS_LIST,
    DISLIKE_AFFINITY,
    LIBRARY_VOTES,
    category_affinity,
    centre_of,
    exploring,
    interest_spread,
    interest_weight,
    learn,
)
from core.store.vectors import DayVectors, normalise


def clusters(seed: int = 1, per: int = 40, fields: int = 5, dim: int = 32):
    """Unit vectors in `fields` clusters around a shared direction (as static embeddings sit
    around the corpus mean), and each vector's field."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=dim) * 3
    centres = rng.normal(size=(fields, dim))
    rows = np.concatenate([common + c + rng.normal(scale=0.6, size=(per, dim)) for c in centres])
    return normalise(rows), np.repeat(np.arange(fields), per), normalise(common + centres)


def corpus(rows, labels) -> learning.Corpus:
    return learning.Corpus("synthetic", rows, tuple(frozenset([str(x)]) for x in labels), ())


def test_a_wrong_start_recovers_and_the_old_rule_does_not():
    rows, labels, centres = clusters()
    wrong = centres[1]  # the interest names field 1; the reader's taste is field 0
    c = corpus(rows, labels)
    shipped, _ = learning.simulate(learning.shipped, wrong, c, labels == 0)
    before, _ = learning.simulate(learning.rocchio, wrong, c, labels == 0)
    assert shipped[0] < 0.2
    assert shipped[20] >= 0.8 and shipped[20] > before[20]


def test_a_good_start_keeps_its_interest_as_the_votes_agree():
    rows, labels, centres = clusters(seed=2)
    c = corpus(rows, labels)
    scores, _ = learning.simulate(learning.shipped, centres[0], c, labels == 0)
    assert scores[0] >= 0.9 and min(scores.values()) >= scores[0] - 0.05


def test_a_reader_who_only_turns_papers_down_is_shown_papers_it_has_not_seen():
    fresh, before = [], []
    for seed in (3, 5, 8, 11, 13):
        rows, labels, centres = clusters(seed=seed)
        c = corpus(rows, labels)
        fresh.append(learning.simulate(learning.shipped, centres[1], c, labels == 0, down_only=True)[1])
        before.append(learning.simulate(learning.rocchio, centres[1], c, labels == 0, down_only=True)[1])
    assert np.mean(fresh) >= 5 and all(f > b for f, b in zip(fresh, before, strict=True))


def test_the_interest_counts_less_as_votes_disagree_with_it():
    rows, labels, centres = clusters(seed=4)
    mu = rows.mean(axis=0)
    wanted = normalise(centres[0] - mu)[0]
    spread = float((normalise(rows - mu) @ wanted).std())
    agreeing = normalise(rows[labels == 0][:3] - mu)
    disagreeing = normalise(rows[labels == 3][:3] - mu)
    agree, disagree = interest_weight(wanted, agreeing, 0, spread), interest_weight(wanted, disagreeing, 0, spread)
    assert agree > 0.8 and disagree <= 0.2
    assert interest_weight(wanted, agreeing[:0], 4, spread) == 1 / 5


def test_only_down_votes_and_no_like_make_the_feed_explore():
    rows, labels, centres = clusters(seed=5)
    mu = rows.mean(axis=0)
    none = rows[:0]
    assert learn(centres[0], none, none, mu, 0.1).explore == 0
    assert learn(centres[0], none, rows[:1], mu, 0.1).explore == 0
    assert learn(centres[0], none, rows[:2], mu, 0.1).explore > 0
    assert learn(centres[0], rows[:1], rows[1:5], mu, 0.1).explore == 0
    assert learn(None, none, rows[:3], mu, 0.1) is None


def test_the_centre_and_spread_come_from_the_stored_vectors_of_every_day():
    rows, _, centres = clusters(seed=6)
    days = [DayVectors.build("m", [f"a{i}" for i in range(100)], rows[:100])]
    days.append(DayVectors.build("m", [f"b{i}" for i in range(100, 200)], rows[100:200]))
    centre = centre_of(days)
    assert np.allclose(centre, np.concatenate([d.matrix() for d in days]).mean(axis=0), atol=1e-5)
    wanted = normalise(normalise(centres[0])[0] - centre)[0]
    every = normalise(np.concatenate([d.matrix() for d in days]) - centre) @ wanted
    assert abs(interest_spread(days, centres[0], centre) - float(every.std())) < 0.02
    assert centre_of([]) is None


def test_categories_count_from_the_first_like_and_disliked_ones_net_out():
    assert category_affinity([], [("cs.CR",), ("cs.CR",)]) is None  # turned down, nothing liked: no say
    a = category_affinity([("cs.RO", "cs.LG")], [("cs.LG",), ("cs.CR",), ("cs.CR", "cs.LG")])
    net = dict(a.net)
    assert net["cs.RO"] == 1 / 2  # the liked paper's primary category
    assert net["cs.LG"] == CROSS_LIST / 2 - DISLIKE_AFFINITY * (1 + CROSS_LIST) / 4  # a cross-list counts less
    assert net["cs.CR"] == -DISLIKE_AFFINITY * 2 / 4
    bonus = a.bonuses(
        [("cs.RO",), ("cs.RO", "cs.LG"), ("cs.LG", "cs.RO"), ("cs.CR",), ("math.AG",), ("cs.RO", "cs.RO")]
    )
    expected = [0.5, 0.5 + CROSS_LIST * net["cs.LG"], net["cs.LG"] + CROSS_LIST * 0.5, net["cs.CR"], 0, 0.5]
    assert np.allclose(bonus, AFFINITY * np.array(expected))
    assert a.reason(("cs.LG", "cs.RO")) == "in cs.RO, like 1 paper you liked"
    assert a.reason(("cs.CR",)) == "" and a.reason(()) == ""


def test_a_library_counts_as_at_most_a_few_liked_papers():
    big = category_affinity([], [], [("hep-th", 300), ("gr-qc", 100)], 400)
    scale = LIBRARY_VOTES / 400
    assert dict(big.net)["hep-th"] == 300 * scale / (1 + LIBRARY_VOTES)
    assert big.reason(("hep-th",)) == "in hep-th, like 300 in your library"
    both = category_affinity([("gr-qc",)], [], [("gr-qc", 2)], 2)
    assert (
        dict(both.net)["gr-qc"] == 3 / 4
        and both.reason(("gr-qc",)) == "in gr-qc, like 1 paper you liked and 2 in your library"
    )


def test_in_the_evaluation_the_categories_the_votes_favour_lift_a_field_the_vectors_blur():
    rows, labels, centres = clusters(seed=7, per=60, fields=4, dim=16)
    rng = np.random.default_rng(7)
    blurred = normalise(rows + rng.normal(scale=0.9, size=rows.shape))  # fields overlap in meaning
    cats = tuple((f"f{x}",) for x in labels)
    c = learning.Corpus("synthetic", blurred, tuple(frozenset([str(x)]) for x in labels), (), cats)
    with_categories, _ = learning.simulate(learning.shipped, centres[1], c, labels == 0)
    vectors_only, _ = learning.simulate(learning.meaning_only, centres[1], c, labels == 0)
    assert with_categories[20] >= 0.9 and with_categories[20] > vectors_only[20] + 0.2
    no_categories = learning.Corpus("synthetic", blurred, c.labels, ())
    same, _ = learning.simulate(learning.shipped, centres[1], no_categories, labels == 0)
    assert same == vectors_only  # without categories the shipped learner is the vectors alone


def test_the_exploring_slots_spread_wider_with_each_paper_turned_down_until_one_is_liked():
    weights = [exploring(0, d) for d in range(8)]
    assert weights[:2] == [0.0, 0.0] and weights[2] > 0
    assert all(a < b for a, b in zip(weights[2:5], weights[3:6], strict=True)) and max(weights) == weights[-1]
    assert exploring(1, 7) == 0.0


def test_a_reader_who_keeps_saying_less_is_shown_new_papers_at_each_look():
    rows, labels, centres = clusters(seed=8, per=12, fields=8, dim=16)  # a small pool, as a short day
    c = corpus(rows, labels)
    _, fresh = learning.simulate(learning.shipped, centres[1], c, labels == 0, down_only=True)
    assert fresh >= 5
