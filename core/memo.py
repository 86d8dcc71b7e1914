"""Small bounded caches for the read path. No I/O.

    LRU(max_entries, max_size)      a thread-safe LRU map, bounded by count and, optionally,
                                    by the total size of its values (`len` unless told)
    ObjectMemo(max_entries)         values derived from live objects that are immutable but
                                    not hashable (a Day holds a dict), keyed by their identity

An `ObjectMemo` entry never outlives its objects: it keeps only weak references to
them, a hit checks that they are still the same objects, and an entry whose object
has been collected is dropped at the next call (so an id reused by a new object can
never find an old value).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

V = TypeVar("V")


class LRU:
    """A small thread-safe LRU map bounded by entry count and, when `max_size` is set, by the
    total `size(value)` of its values (`len` by default); a value above `max_size` is not kept."""

    def __init__(self, max_entries: int, max_size: int = 0, size: Callable[[Any], int] = len):
        self.max_entries, self.max_size = max_entries, max_size
        self._size_of = size if max_size else (lambda value: 0)
        self._data: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        size = self._size_of(value)
        if self.max_size and size > self.max_size:
            return
        with self._lock:
            old = self._data.pop(key, None)
            self._size -= self._size_of(old) if old is not None else 0
            self._data[key] = value
            self._size += size
            while len(self._data) > self.max_entries or (self.max_size and self._size > self.max_size):
                _, dropped = self._data.popitem(last=False)
                self._size -= self._size_of(dropped)

    def __len__(self) -> int:
        return len(self._data)


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
            if entry is not None and all(ref() is obj for ref, obj in zip(entry[0], objects, strict=True)):
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
