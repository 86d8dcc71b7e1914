"""The read path: the manifest (1 store command) and day segments (memory, else 1 mget).

Segments are immutable, so an instance keeps the decoded days it has seen and only
asks the store for segments it does not hold. If the store is down, a reader that
already holds the data keeps serving it (and says so through `degraded`).
"""

from __future__ import annotations

import threading

from core.errors import StoreError
from core.longlived import long_lived
from core.models import Day, Manifest
from core.store.base import Store
from core.store.layout import MANIFEST_KEY, day_from_parts, decode, parse_manifest, shared_lists


class Reader:
    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._manifest_raw: bytes | None = None
        self._manifest = Manifest()
        self._days: dict[tuple[str, ...], Day] = {}
        self._vectors: dict[str, object] = {}  # vector key -> core.store.vectors.DayVectors
        self.degraded = ""

    def manifest(self) -> Manifest:
        """The published manifest: one store command. Falls back to the last one seen
        when the store is down; raises StoreError when there is none to fall back to."""
        try:
            raw = self.store.get(MANIFEST_KEY)
        except StoreError as exc:
            if self._manifest_raw is None:
                raise
            self.degraded = str(exc)
            return self._manifest
        self.degraded = ""
        with self._lock:
            if raw != self._manifest_raw:
                self._manifest = parse_manifest(raw)
                self._manifest_raw = raw
            return self._manifest

    def days(self, manifest: Manifest, count: int) -> list[Day]:
        """The newest `count` days the manifest names, newest first (at most one mget)."""
        refs = manifest.days[:count]
        missing = [k for ref in refs if tuple(ref.keys) not in self._days for k in ref.keys]
        if missing:
            found = dict(zip(missing, self.store.mget(missing), strict=True))
            shared = shared_lists()  # the days' records share their alike category and match lists
            with self._lock, long_lived():  # a day is a few hundred thousand objects (core.longlived)
                for ref in refs:
                    if tuple(ref.keys) in self._days:
                        continue
                    raws = [found.pop(k, None) for k in ref.keys]  # let go once this day is decoded
                    if any(r is None for r in raws):
                        continue  # expired past retention: serve what remains
                    parts = [decode(r, f"day {ref.date}") for r in raws]
                    self._days[tuple(ref.keys)] = day_from_parts(ref.date, parts, shared)
                self._forget_unlisted(manifest)
        return [self._days[tuple(ref.keys)] for ref in refs if tuple(ref.keys) in self._days]

    def held_days(self, manifest: Manifest, count: int) -> list[Day] | None:
        """What `days(manifest, count)` returns when every one of those days is already in
        memory (no store command); None when one would have to be read."""
        refs = manifest.days[:count]
        with self._lock:
            held = [self._days.get(tuple(ref.keys)) for ref in refs]
        return None if any(d is None for d in held) else held

    def vectors(self, manifest: Manifest, count: int, embedder: str) -> dict[str, object]:
        """The vectors (core.store.vectors.DayVectors) of the newest `count` days embedded with
        `embedder`, by date (at most one mget). Imports numpy: only queries that rank by
        meaning call this."""
        from core.store.vectors import decode_vectors

        refs = [r for r in manifest.days[:count] if r.vectors and r.embedder == embedder]
        missing = [r.vectors for r in refs if r.vectors not in self._vectors]
        if missing:
            found = dict(zip(missing, self.store.mget(missing), strict=True))
            with self._lock:
                for ref in refs:
                    raw = found.get(ref.vectors)
                    if ref.vectors not in self._vectors and raw is not None:
                        self._vectors[ref.vectors] = decode_vectors(raw, f"vectors of {ref.date}")
                listed = {r.vectors for r in manifest.days}
                for key in [k for k in self._vectors if k not in listed]:
                    del self._vectors[key]
        return {r.date: self._vectors[r.vectors] for r in refs if r.vectors in self._vectors}

    def _forget_unlisted(self, manifest: Manifest) -> None:
        listed = {tuple(ref.keys) for ref in manifest.days}
        for key in [k for k in self._days if k not in listed]:
            del self._days[key]
