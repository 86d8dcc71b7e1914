"""Caches keyed by request data are bounded in bytes, keys included: many large distinct
query strings cannot pin memory (the parsed-query memo once kept every raw value)."""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from api.deps import BODY_CACHE_BYTES, QUERY_CACHE_BYTES, Service
from core.config import Env
from core.context import Context
from core.errors import BadQuery
from core.memo import LRU, deep_size
from core.rank.query import parse_query
from tests.support.app_client import app_clients
from tests.support.seed import seed_config

CONFIG = seed_config()
NOON = datetime(2026, 9, 23, 16, 0, tzinfo=UTC)
PADDING = 90 * 1024  # the size of the query strings that once took the server past its memory target


def large_query(i: int, size: int = PADDING) -> list[tuple[str, str]]:
    """A valid query string of about `size` bytes, distinct for each `i`: blank values (which
    the parser drops, but which were part of the memo's key) and one keyword of its own."""
    width = 4000  # a variable, so that each blank is a string of its own, as a server parses them
    blanks = [("keywords", " " * width) for _ in range(size // 4010)]
    return [*blanks, ("keywords", f"k{i}"), ("format", "atom")]


def test_many_large_distinct_queries_keep_the_query_memo_under_its_byte_bound(tmp_path):
    service = Service(Context(CONFIG, Env(db_path=str(tmp_path / "db.sqlite3"))))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(1100):
            service.query(large_query(i))
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0 < service.queries.size <= QUERY_CACHE_BYTES
    assert held < QUERY_CACHE_BYTES * 2  # ~100 MB of raw values went through; none is kept
    assert service.query(large_query(1099)) is service.query(large_query(1099))  # still a memo


def test_a_repeated_large_query_is_a_memo_hit_and_a_different_one_is_not(tmp_path):
    service = Service(Context(CONFIG, Env(db_path=str(tmp_path / "db.sqlite3"))))
    first = service.query(large_query(1))
    assert service.query(large_query(1)) is first
    assert service.query(large_query(2)) is not first
    assert len(service.queries) == 2


def test_large_distinct_queries_over_http_keep_both_request_caches_bounded(tmp_path):
    with app_clients(tmp_path, CONFIG, NOON) as make:
        client, service = make()
        for i in range(40):
            query = "&".join(f"{k}={v}" for k, v in large_query(i, 30_000)).replace(" ", "+")
            assert client.get(f"/feed?{query}").status_code == 200
    assert len(service.queries) == 40 and service.queries.size <= QUERY_CACHE_BYTES
    assert service.bodies.size <= BODY_CACHE_BYTES
    assert all(deep_size(key) < 4096 for key in service.bodies._data)  # keys hold the parsed query, not the raw one


def test_an_lru_with_key_size_counts_keys_and_evicts_to_stay_under_its_bound():
    cache = LRU(1000, 10_000, size=len, key_size=len)
    for i in range(100):
        cache.put(f"{i:04d}" + "k" * 496, b"v" * 500)  # 1,000 bytes an entry
    assert cache.size <= 10_000 and len(cache) == 10
    assert cache.get("0099" + "k" * 496) == b"v" * 500 and cache.get("0000" + "k" * 496) is None


def test_an_lru_entry_larger_than_the_bound_is_not_kept():
    cache = LRU(10, 100, size=len, key_size=len)
    cache.put("k", b"x" * 100)
    assert (len(cache), cache.size) == (0, 0)


def test_replacing_an_lru_value_keeps_the_size_exact():
    cache = LRU(10, 1000)
    cache.put("a", b"x" * 300)
    cache.put("a", b"x" * 100)
    assert (len(cache), cache.size) == (1, 100)


@dataclass(frozen=True)
class _Holder:
    name: str
    items: tuple


@pytest.mark.parametrize(
    ("value", "at_least"),
    [
        ("x" * 10_000, 10_000),
        (b"x" * 10_000, 10_000),
        (("x" * 5_000, "y" * 5_000), 10_000),
        ({"k" * 5_000: "v" * 5_000}, 10_000),
        (_Holder("n" * 5_000, ("i" * 5_000,)), 10_000),
    ],
    ids=["str", "bytes", "tuple", "dict", "dataclass"],
)
def test_deep_size_counts_what_a_value_holds(value, at_least):
    assert at_least <= deep_size(value) < at_least + 1_000


def test_deep_size_counts_a_shared_or_cyclic_part_once():
    part = "x" * 10_000
    cyclic: list = [part, part]
    cyclic.append(cyclic)
    assert deep_size(cyclic) < 11_000


def test_every_process_wide_cache_is_registered_in_one_place_and_clears():
    """No module holds a cache of its own: each module-level LRU or ObjectMemo under core/
    is one of core.memo.CACHES, and clear_all() empties them all."""
    import importlib
    import pkgutil

    import core
    from core import memo

    for info in pkgutil.walk_packages(core.__path__, "core."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    import sys

    held = {
        f"{name}.{attr}": value
        for name, module in list(sys.modules.items())
        if name.startswith("core.") and module is not None
        for attr, value in vars(module).items()
        if isinstance(value, memo.LRU | memo.ObjectMemo)
    }
    registered = {id(c) for c in memo.CACHES.values()}
    assert held and {k for k, v in held.items() if id(v) not in registered} == set()
    memo.CACHES["feeds.item_fragments"].put(("probe",), ("x",))
    memo.clear_all()
    assert all(len(c) == 0 for c in memo.CACHES.values())


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz -", min_size=1, max_size=100).filter(lambda w: w.strip(" -"))
_IDS = st.lists(st.integers(0, 99_999).map(lambda n: f"2609.{n:05d}"), min_size=1, max_size=20)
_PARAMETERS = st.fixed_dictionaries(
    {},
    optional={
        "keywords": st.lists(_WORD, min_size=1, max_size=20).map(",".join),
        "exclude": st.lists(_WORD, min_size=1, max_size=20).map(",".join),
        "authors": st.lists(_WORD, min_size=1, max_size=20).map(",".join),
        "categories": st.lists(st.sampled_from(CONFIG.categories), min_size=1).map(",".join),
        "types": st.sampled_from(["new", "new,cross", "*", "replace"]),
        "interest": st.text(alphabet="abcdefgh ", min_size=1, max_size=500).filter(str.strip),
        "like": _IDS.map(",".join),
        "unlike": _IDS.map(",".join),
        "days": st.integers(1, 7).map(str),
        "limit": st.integers(1, 200).map(str),
        "format": st.sampled_from(["rss", "atom", "json"]),
    },
)


@settings(max_examples=300, deadline=None)
@given(_PARAMETERS)
def test_a_parsed_querys_size_is_close_to_what_deep_size_counts(params):
    """The query memo sizes an entry by `FeedQuery.size`, not by walking it: the estimate stays
    near the walk's count (so the memo's byte bound holds), whatever the query lists."""
    try:
        query = parse_query(list(params.items()), CONFIG)
    except BadQuery:
        assume(False)
    assert 0.8 <= query.size / deep_size(query) <= 1.6
