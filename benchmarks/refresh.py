"""The refresh's CPU cost, against `feedparser.parse` of the same bytes, and how it scales.

The feed body is arXiv's RSS 2.0 announcement feed (`workload.rss_feed`) of N
synthetic papers built from real texts. The refresh is the real `run_refresh`
(parse, dedupe, score, build the day segment, write it and the manifest to a
SQLite file), given a client object that returns the bytes: no network. Each run
starts on an empty store, so every run does the full work. CPU time of this
process (`time.process_time`) is measured, so disk waits do not count.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.report import Result, median, timed
from benchmarks.workload import LAST_DAY, SEED, Text, make_papers, rss_feed
from core.config import Config

CLOCK = datetime(2026, 9, 24, 10, 0, tzinfo=UTC)  # after that day's feed rebuild


@dataclass(frozen=True)
class RefreshSizes:
    main: int = 1500  # compared with feedparser
    scale: tuple[int, ...] = (500, 1500, 6000)  # time per paper at each
    repeats: int = 5


class BytesClient:
    """Stands in for the arXiv client: `fetch_feed` returns the given bytes."""

    def __init__(self, body: bytes):
        self.body = body

    def fetch_feed(self, categories: Sequence[str]) -> bytes:
        return self.body


def feed_body(config: Config, texts: Sequence[Text], papers: int) -> bytes:
    return rss_feed(
        make_papers(texts, config, LAST_DAY, papers, random.Random(SEED + papers)), LAST_DAY, config.categories
    )


def refresh_seconds(config: Config, body: bytes, folder: Path, run: int) -> float:
    """CPU seconds of one full refresh of `body` into a new SQLite file."""
    from core.refresh.pipeline import run_refresh
    from core.store.sqlite import SqliteStore

    store = SqliteStore(str(folder / f"refresh-{run}.sqlite3"))
    try:
        report = {}
        seconds = timed(
            lambda: report.update(run_refresh(config, store, BytesClient(body), clock=lambda: CLOCK)), time.process_time
        )
    finally:
        store.close()
    if report.get("status") != "updated" or not report.get("papers"):
        raise RuntimeError(f"the benchmark refresh did not store the papers: {report}")
    return seconds


def refresh_results(config: Config, texts: Sequence[Text], sizes: RefreshSizes = RefreshSizes()) -> list[Result]:
    import feedparser

    results, per_paper = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        folder, run = Path(tmp), 0
        for n in sorted({sizes.main, *sizes.scale}):
            body = feed_body(config, texts, n)
            runs = []
            for _ in range(sizes.repeats):
                runs.append(refresh_seconds(config, body, folder, run))
                run += 1
            per_paper[n] = median(runs) / n
            if n == sizes.main:
                parse = median(
                    [timed(lambda b=body: feedparser.parse(b), time.process_time) for _ in range(sizes.repeats)]
                )
                results.append(
                    Result(
                        f"refresh CPU, {n:,} papers",
                        median(runs),
                        "s",
                        parse,
                        target=1.5,
                        note=f"baseline: feedparser.parse of the same {len(body) / 1e6:.1f} MB",
                    )
                )
    for n in sizes.scale:
        results.append(Result(f"refresh CPU per paper, {n:,} papers", per_paper[n] * 1e6, "µs"))
    small, large = min(sizes.scale), max(sizes.scale)
    results.append(
        Result(
            f"refresh linearity: per paper at {large:,} / at {small:,}",
            per_paper[large] * 1e6,
            "µs",
            per_paper[small] * 1e6,
            target=1.3,
            note="1.0 = exactly linear",
        )
    )
    return results
