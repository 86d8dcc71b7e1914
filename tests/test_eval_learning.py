"""The learning section of `make eval` at a tiny size: every learner reported after 0, 5,
10 and 20 votes, precisions in [0, 1], equal before any vote, seeded runs repeatable.
(Which learner wins is the evaluation's finding, in the README, not a test's assertion.)"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import eval as ranking_eval
from core.profiles.feed import rocchio
from tests.conftest import SHARED_FIXTURES

needs_corpus = pytest.mark.skipif(
    not (SHARED_FIXTURES / ranking_eval.FIXTURE.name).exists(),
    reason=f"real arXiv fixtures not found at {SHARED_FIXTURES}",
)


@needs_corpus
def test_a_tiny_learning_run_reports_every_learner_after_each_vote_count_and_repeats():
    first = ranking_eval.learning(trials=6, seed=3)
    assert first == ranking_eval.learning(trials=6, seed=3)
    assert set(first) == set(ranking_eval.LEARNERS)
    for by in first.values():
        assert set(by) == set(ranking_eval.LEARN_AT) and all(0.0 <= p <= 1.0 for p in by.values())
    assert len({by[0] for by in first.values()}) == 1  # no votes: every learner ranks by the interest
    assert ranking_eval.learning_table(first).count("\n") == len(first) + 1


def test_the_logistic_model_without_votes_ranks_as_the_interest_does():
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(20, 8)).astype(np.float32)
    interest = rng.normal(size=8).astype(np.float32)
    none = np.zeros((0, 8), np.float32)
    order = np.argsort(-ranking_eval.logistic_scores(interest, none, none, rows))
    assert list(order) == list(np.argsort(-(rows @ interest)))


def test_rocchio_moves_towards_liked_and_away_from_disliked_papers():
    interest, liked, disliked = np.eye(3, dtype=np.float32)
    q = rocchio(interest, liked[None, :], disliked[None, :], beta=0.5)
    assert q[1] > 0 > q[2] and np.isclose(np.linalg.norm(q), 1.0)
    assert rocchio(None, np.zeros((0, 3), np.float32), disliked[None, :]) is None
