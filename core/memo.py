"""Small bounded caches for the read path. No I/O.

    LRU(max_entries, max_size)      a thread-safe LRU map, bounded by count and, optionally,
                                    by the total size of its values (`len` unless told) and
                                    of its keys (`key_size`)
    deep_size(value)                about how many bytes a value of plain data holds

A cache whose keys or values come from a request is bounded in bytes, keys included
(a count alone lets a few large distinct requests pin memory).
    ObjectMemo(max_entries)         values derived from live objects that are immutable but
                                    not hashable (a Day holds a dict), keyed by their identity

Every process-wide cache is registered here by name (`kept`), so `CACHES` lists them all,
with their bounds, and `clear_all()` empties them (tests; a process that must forget).
Modules that memoise pure functions hold their caches through it and stay pure in effect:
a cache only changes how fast an answer comes, never the answer.

An `ObjectMemo` entry never outlives its objects: it keeps only weak references to
them, a hit checks that they are still the same objects, and an entry whose object
has been collected is dropped at the next call (so an id reused by a new object can
never find an old value).
"""

from __future__ import annotations

import operator
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

V = TypeVar("V")

CACHES: dict[str, Any] = {}  # name -> the process-wide LRU or ObjectMemo registered under it


def kept[C](name: str, cache: C) -> C:
    """Register `cache` (an LRU or ObjectMemo) as the process-wide cache `name` and return
    it. Raises ValueError when another cache already holds the name."""
    if CACHES.setdefault(name, cache) is not cache:
        raise ValueError(f"a cache named {name!r} is already registered")
    return cache


def clear_all() -> None:
    """Empty every registered cache."""
    for cache in CACHES.values():
        cache.clear()


class LRU:
    """A small thread-safe LRU map bounded by entry count and, when `max_size` is set, by the
    total `size(value)` of its values (`len` by default) plus `key_size(key)` of its keys (0
    unless given); an entry above `max_size` on its own is not kept. `size` is that total."""

    def __init__(
        self,
        max_entries: int,
        max_size: int = 0,
        size: Callable[[Any], int] = len,
        key_size: Callable[[Any], int] | None = None,
    ):
        self.max_entries, self.max_size = max_entries, max_size
        self._size_of = size if max_size else (lambda value: 0)
        self._key_size = key_size if max_size and key_size else (lambda key: 0)
        self._data: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._size

    def get(self, key):
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            self._data.move_to_end(key)
            return entry[0]

    def put(self, key, value) -> None:
        size = self._size_of(value) + self._key_size(key)
        if self.max_size and size > self.max_size:
            return
        with self._lock:
            old = self._data.pop(key, None)
            self._size -= old[1] if old is not None else 0
            self._data[key] = (value, size)
            self._size += size
            while len(self._data) > self.max_entries or (self.max_size and self._size > self.max_size):
                _, (_, dropped) = self._data.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._data)


def deep_size(value: Any) -> int:
    """About how many bytes `value` holds: strings, bytes, numbers and the tuples, lists,
    sets, dicts and dataclasses made of them, each object counted once (`sys.getsizeof`)."""
    total, stack, seen = 0, [value], set()
    pop, push, mark, size_of = stack.pop, stack.extend, seen.add, sys.getsizeof
    while stack:
        item = pop()
        if id(item) in seen:
            continue
        mark(id(item))
        total += size_of(item)
        kind = type(item)
        if kind in _CONTAINERS:
            push(item)
        elif kind is dict:
            push(item.keys())
            push(item.values())
        elif kind in _ATOMS:
            continue
        elif isinstance(item, dict):
            push(item.keys())
            push(item.values())
        elif isinstance(item, (tuple, list, set, frozenset)):
            push(item)
        elif hasattr(item, "__dataclass_fields__"):
            push(getattr(item, name) for name in item.__dataclass_fields__)
    return total


_CONTAINERS = frozenset({tuple, list, set, frozenset})
_ATOMS = frozenset({str, bytes, int, float, bool, type(None)})


def _same(refs: tuple[weakref.ref, ...], objects: tuple) -> bool:
    """Whether the weak references still name exactly `objects` (as many: the key holds their
    ids). A request looks up a dozen entries, each of a few days' objects: compared without a
    Python-level loop."""
    return all(map(operator.is_, map(operator.call, refs), objects))


class ObjectMemo:
    """Values computed from a tuple of objects (by identity) plus a hashable `extra`,
    at most `max_entries` of them (least recently used dropped first)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._data: OrderedDict[tuple, tuple[tuple[weakref.ref, ...], Any]] = OrderedDict()
        self._dead: list[tuple] = []  # keys whose objects were collected; appended from weakref callbacks
        self._lock = threading.Lock()

    def get(self, objects: Sequence[object], extra: Hashable, build: Callable[[], V]) -> V:
        """The value for (`objects`, `extra`), calling `build()` once when there is none.
        Objects that cannot be weakly referenced are not cached: `build()` runs every time."""
        objects = tuple(objects)
        key = (tuple(map(id, objects)), extra)
        with self._lock:
            self._purge()
            entry = self._data.get(key)
            if entry is not None and _same(entry[0], objects):
                self._data.move_to_end(key)
                return entry[1]
        value = build()
        try:
            refs = tuple(weakref.ref(obj, lambda _ref, key=key: self._dead.append(key)) for obj in objects)
        except TypeError:
            return value
        with self._lock:
            self._data[key] = (refs, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return value

    def peek(self, objects: Sequence[object], extra: Hashable) -> bool:
        """Whether a value for (`objects`, `extra`) is held (its recency unchanged)."""
        return self.held(objects, extra) is not None

    def held(self, objects: Sequence[object], extra: Hashable, touch: bool = False) -> Any:
        """The value held for (`objects`, `extra`), or None; nothing is built, and its recency
        is unchanged unless `touch` (then it counts as used, as by `get`)."""
        objects = tuple(objects)
        key = (tuple(map(id, objects)), extra)
        with self._lock:
            entry = self._data.get(key)
            if entry is not None and _same(entry[0], objects):
                if touch:
                    self._data.move_to_end(key)
                return entry[1]
            return None

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._dead.clear()

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._data)

    def _purge(self) -> None:
        """Drop entries whose objects were collected (called with the lock held). A callback
        may fire for an entry already replaced by live objects: those entries are kept."""
        while self._dead:
            key = self._dead.pop()
            entry = self._data.get(key)
            if entry is not None and any(ref() is None for ref in entry[0]):
                del self._data[key]
