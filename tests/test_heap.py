"""Decoded days and word indexes are moved out of the cyclic collector's full passes
(core.heap.settle), and are still freed when the data they belong to is dropped."""

from __future__ import annotations

import gc
import weakref

from core.heap import settle
from core.prefilter import index_of
from core.reader import Reader
from core.store.sqlite import SqliteStore
from tests.support.seed import seed_config, seed_store


def test_days_read_and_indexes_built_leave_the_collectors_generations(tmp_path):
    store = SqliteStore(str(tmp_path / "db.sqlite3"))
    manifest = seed_store(store, seed_config(), days=2, per_day=30)
    gc.unfreeze()
    days = Reader(store).days(manifest, 2)
    paper = days[0].papers[0].paper
    assert gc.is_tracked(paper) and gc.get_freeze_count() > 0
    assert all(paper is not o for o in gc.get_objects())  # frozen objects are in no generation
    gc.unfreeze()
    index = index_of(days[1])
    assert gc.get_freeze_count() > 0 and all(index is not o for o in gc.get_objects())


def test_frozen_objects_are_still_freed_when_dropped():
    class Held:
        pass

    held = Held()
    gone = weakref.ref(held)
    settle()
    del held
    assert gone() is None
