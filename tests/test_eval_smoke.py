"""`make eval` at a tiny size, so the ranking evaluation keeps working: every method
reported for both tasks, metrics in [0, 1], seeded runs repeatable. (Which method wins
is the evaluation's finding, reported in the README, not a test's assertion.)"""

from __future__ import annotations

import pytest

from benchmarks import eval as ranking_eval
from tests.conftest import SHARED_FIXTURES

pytestmark = pytest.mark.skipif(
    not (SHARED_FIXTURES / ranking_eval.FIXTURE.name).exists(),
    reason=f"real arXiv fixtures not found at {SHARED_FIXTURES}",
)


def test_the_corpus_is_the_185_paper_listing_with_its_primary_categories():
    items = ranking_eval.corpus()
    assert len(items) == 185 and all(label for _, label in items)
    assert sum(label == "cs.CL" for _, label in items) == 29


def test_a_tiny_evaluation_reports_every_method_and_repeats_exactly():
    first = ranking_eval.evaluate(trials=20, seed=3)
    assert first == ranking_eval.evaluate(trials=20, seed=3)
    for task in ("like-3", "interest"):
        assert set(first[task]) == {
            "random",
            "keywords",
            "tf-idf",
            "embedder (float32)",
            "embedder (int8, stored)",
            "hybrid",
        }
        assert all(0.0 <= v <= 1.0 for pair in first[task].values() for v in pair)
    assert "| hybrid |" in ranking_eval.table(first)
