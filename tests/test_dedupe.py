"""One record per paper: the strongest announce type wins, never the first seen."""

from core.ingest.dedupe import dedupe
from tests.support.papers import paper


def test_a_paper_new_in_one_category_and_cross_in_another_is_one_new_paper():
    cross_first = paper("2609.1", announce_type="cross", categories=("cs.AI", "cs.LG"))
    new_later = paper("2609.1", announce_type="new", categories=("cs.LG",))
    [kept] = dedupe([cross_first, new_later])
    assert kept.announce_type == "new"
    assert kept.categories == ("cs.LG", "cs.AI")  # primary first, nothing lost


def test_first_seen_order_is_kept_and_distinct_papers_all_survive():
    papers = [paper("b"), paper("a"), paper("b", announce_type="replace"), paper("c")]
    assert [p.id for p in dedupe(papers)] == ["b", "a", "c"]


def test_among_equal_types_the_newest_announcement_and_version_win():
    old = paper("x", announce_type="replace", announced="2026-09-21", version=2)
    new = paper("x", announce_type="replace", announced="2026-09-24", version=3)
    assert dedupe([old, new]) == [new]
    assert dedupe([new, old]) == [new]
