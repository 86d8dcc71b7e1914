"""The learning evaluation measures what the product does: the same simulated readers, run
through the real app (profiles made from an interest text, the profile feed read as JSON,
the items' signed vote links clicked), score as benchmarks.learning's harness says, on the
real 185-paper cs listing of 2018-08-30 (skipped, with the reason, when ../shared is absent)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import eval as ranking_eval
from benchmarks import learning
from benchmarks.learning_app import through_the_app


@pytest.fixture(scope="module")
def listing():
    if not ranking_eval.FIXTURE.exists():
        pytest.skip(f"real arXiv fixtures not found at {ranking_eval.FIXTURE.parent}")
    embed = learning.default_embed()
    items = ranking_eval.corpus()
    corpus = learning._corpus("2018", [p for p, _ in items], tuple(frozenset([c]) for _, c in items), embed, 8)
    return corpus, embed


def harness(corpus, people, embed, down_only=False):
    vectors = dict(zip([r.interest for r in people], embed([r.interest for r in people]), strict=True))
    runs = [learning.simulate(learning.shipped, vectors[r.interest], corpus, r.relevant, down_only) for r in people]
    return {n: float(np.mean([s[n] for s, _ in runs])) for n in learning.LEARN_AT}, [f for _, f in runs]


def test_a_wrong_start_recovers_through_the_app_as_the_evaluation_says(listing):
    corpus, embed = listing
    people = [r for r in learning.readers(corpus) if r.kind == "wrong"][:6]
    app = through_the_app(corpus.papers, people)["scores"]
    expected, _ = harness(corpus, people, embed)
    assert app[0] < 0.1 and app[20] >= 0.8
    assert all(abs(app[n] - expected[n]) <= 0.1 for n in learning.LEARN_AT), (app, expected)


def test_a_reader_who_only_turns_papers_down_is_shown_new_papers_through_the_app(listing):
    corpus, embed = listing
    people = [r for r in learning.readers(corpus) if r.kind == "down-only"][:3]
    app = through_the_app(corpus.papers, people, down_only=True)
    assert app["fresh"] >= 4  # of 10 (the rule before exploring showed 1); `make eval` has the full figure
    assert app["scores"][0] < 0.1
