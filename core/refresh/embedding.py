"""The refresh's embedding step: every retained day gets a vector blob for the deployment's
embedder, and no paper version is embedded twice.

    manifest, report = embed_days(store, manifest, embedder, retention_days, previous=old)

A day's blob covers it when it holds a row for every (id, version) of its papers under
the same embedder. Rows already known, from any blob the current or the previous
manifest names, are reused; only the rest are embedded, in batches, within
`time_budget_s` (days left over stay as they were and are finished by the next run,
which the report says). Vectors are written before the manifest that names them.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from core import log
from core.embed.embedder import Embedder, paper_text
from core.errors import EmbeddingError, StoreError
from core.models import Manifest
from core.store.publish import write_vectors
from core.store.reader import Reader
from core.store.vectors import DayVectors, decode_vectors, encode_vectors, paper_key

BATCH = 256


def _known_rows(store, refs, embedder: str) -> dict[str, np.ndarray]:
    keys = sorted({r.vectors for r in refs if r.vectors and r.embedder == embedder})
    known: dict[str, np.ndarray] = {}
    if not keys:
        return known
    for key, raw in zip(keys, store.mget(keys), strict=True):
        if raw is None:
            continue
        try:
            dv = decode_vectors(raw, f"vectors {key.rsplit(':', 2)[-2]}")
        except StoreError as exc:
            log.event("embed.unreadable", reason=exc)
            continue
        if dv.embedder == embedder:
            known.update(zip(dv.keys, dv.matrix(), strict=True))
    return known


def _reuse_unchanged_versions(known: dict[str, np.ndarray], days) -> None:
    """Give each held paper version with no vector the vector of another version of the same
    paper whose title and abstract are the same: a new version is embedded only when its
    text changed (a replacement that only changes comments or the PDF keeps its vector)."""
    texts: dict[str, dict[str, str]] = {}  # paper id -> {version key: text}
    for day in days:
        for s in day.papers:
            texts.setdefault(s.paper.id, {})[paper_key(s.paper)] = paper_text(s.paper)
    for versions in texts.values():
        for key, text in versions.items():
            if key in known:
                continue
            same = next((k for k, t in versions.items() if k in known and t == text), None)
            if same is not None:
                known[key] = known[same]


def embed_days(
    store,
    manifest: Manifest,
    embedder: Embedder,
    retention_days: int,
    *,
    previous: Manifest | None = None,
    time_budget_s: float = 120.0,
    clock=time.monotonic,
) -> tuple[Manifest, dict]:
    """The manifest with every day it can cover in time pointing at its vectors, and a
    report {embedder, embedded, reused, days, pending, error}."""
    started = clock()
    report = {"embedder": embedder.name, "embedded": 0, "reused": 0, "days": 0, "pending": 0}
    refs = list(manifest.days)
    known = _known_rows(store, [*refs, *(previous.days if previous else ())], embedder.name)
    days = {d.date: d for d in Reader(store).days(manifest, len(manifest.days))}
    _reuse_unchanged_versions(known, days.values())
    out = []
    for ref in refs:
        day = days.get(ref.date)
        if day is None:
            out.append(ref)
            continue
        keys = list(dict.fromkeys(paper_key(s.paper) for s in day.papers))
        covered = ref.vectors and ref.embedder == embedder.name and all(k in known for k in keys)
        if covered:
            out.append(ref)
            continue
        if clock() - started > time_budget_s:
            report["pending"] += 1
            out.append(ref)
            continue
        texts = {paper_key(s.paper): paper_text(s.paper) for s in day.papers}
        missing = [k for k in keys if k not in known]
        try:
            for start in range(0, len(missing), BATCH):
                batch = missing[start : start + BATCH]
                rows = embedder.embed([texts[k] for k in batch])
                known.update(zip(batch, rows, strict=True))
        except EmbeddingError as exc:
            report["error"] = str(exc)
            log.event("embed.failed", reason=exc)
            out.append(ref)
            report["pending"] += 1
            continue
        report["embedded"] += len(missing)
        report["reused"] += len(keys) - len(missing)
        matrix = np.stack([known[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
        blob = encode_vectors(DayVectors.build(embedder.name, keys, matrix))
        key = write_vectors(store, ref.date, blob, retention_days)
        out.append(replace(ref, vectors=key, embedder=embedder.name))
        report["days"] += 1
    report["seconds"] = round(clock() - started, 3)
    log.event("embed.done", **report)
    return replace(manifest, days=tuple(out)), report
