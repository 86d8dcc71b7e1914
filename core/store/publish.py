"""The write side of the store: immutable day segments first, the manifest last.

The refresh lock lives in core.store.lock (`refresh_lock` is importable from here too)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime

from core.models import Day, DayRef, Manifest
from core.store.base import Store
from core.store.layout import MANIFEST_KEY, day_parts, encode, manifest_bytes, segment_key, vector_key
from core.store.lock import refresh_lock  # noqa: F401  (callers of the write side find it here too)

DAY = 86400


def write_day(store: Store, day: Day, retention_days: int, keep: DayRef | None = None, words=None) -> DayRef:
    """Write a day's segment parts (immutable, content-addressed) and return its reference.
    They outlive the retention window by a week so a late manifest never names a gone key.
    `keep`: an earlier reference of the same papers, whose vectors still apply; `words`:
    the word-index writer stored with each part (core.store.layout.day_parts)."""
    blobs = [encode(part) for part in day_parts(day, words)]
    digest = hashlib.sha256(b"".join(blobs)).hexdigest()[:16]
    keys = []
    for i, blob in enumerate(blobs):
        key = segment_key(day.date, digest, i)
        store.set(key, blob, ttl=(retention_days + 7) * DAY)
        keys.append(key)
    ref = DayRef(day.date, tuple(keys), len(day.papers), len(day.summaries))
    if keep is not None and keep.vectors:
        ref = replace(ref, vectors=keep.vectors, embedder=keep.embedder)
    return ref


def write_vectors(store: Store, date: str, blob: bytes, retention_days: int) -> str:
    """Write a day's vector blob (immutable, content-addressed); returns its key."""
    key = vector_key(date, hashlib.sha256(blob).hexdigest()[:16])
    store.set(key, blob, ttl=(retention_days + 7) * DAY)
    return key


def publish(store: Store, manifest: Manifest) -> None:
    """Swap the manifest: the one write that makes new data visible."""
    store.set(MANIFEST_KEY, manifest_bytes(manifest))


def new_version(at: datetime) -> str:
    return at.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
